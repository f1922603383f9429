using System.Text.Json;
using Linkage.Sim.Scenarios;

using Linkage.Sim.Reports;

namespace Linkage.Cli;

/// <summary>
/// The <c>--json</c> report of <c>docs/scenarios.md</c>, field for field and in the contract's order: <c>design</c>,
/// <c>store</c>, <c>seed</c>, <c>scenarios[]</c> (name, file, verdict, fills, linked, wrong, missing, lost, external,
/// duplicatesIgnored, failures), <c>totals</c>. It holds no timings, so the same files and seed give the same bytes
/// (D1). Each failure is <c>{ check, message, step, line, at, trade, expected, actual }</c>, every key always present
/// (null when unknown), <c>at</c> written as a scenario duration.
/// </summary>
internal static class ReplayReport
{
    public static string Write(string design, string store, ulong? seed, IReadOnlyList<ScenarioResult> results)
    {
        return JsonText.Document(json =>
        {
            json.WriteString("design", design);
            json.WriteString("store", store);
            if (seed is { } s)
            {
                json.WriteNumber("seed", s);
            }
            else
            {
                json.WriteNull("seed");
            }
            json.WriteStartArray("scenarios");
            foreach (var result in results)
            {
                WriteScenario(json, result);
            }
            json.WriteEndArray();
            json.WriteStartObject("totals");
            json.WriteNumber("scenarios", results.Count);
            json.WriteNumber("passed", results.Count(r => r.Passed));
            json.WriteNumber("failed", results.Count(r => !r.Passed));
            json.WriteNumber("fills", results.Sum(r => r.Fills));
            json.WriteNumber("linked", results.Sum(r => r.Linked));
            json.WriteNumber("wrong", results.Sum(r => r.Wrong));
            json.WriteNumber("missing", results.Sum(r => r.Missing));
            json.WriteNumber("lost", results.Sum(r => r.Lost));
            json.WriteNumber("external", results.Sum(r => r.External));
            json.WriteEndObject();
        });
    }

    private static void WriteScenario(Utf8JsonWriter json, ScenarioResult result)
    {
        json.WriteStartObject();
        json.WriteString("name", result.Name);
        json.WriteString("file", result.File);
        json.WriteString("verdict", result.Passed ? "pass" : "fail");
        json.WriteNumber("fills", result.Fills);
        json.WriteNumber("linked", result.Linked);
        json.WriteNumber("wrong", result.Wrong);
        json.WriteNumber("missing", result.Missing);
        json.WriteNumber("lost", result.Lost);
        json.WriteNumber("external", result.External);
        json.WriteNumber("duplicatesIgnored", result.DuplicatesIgnored);
        json.WriteStartArray("failures");
        foreach (var failure in result.Failures)
        {
            json.WriteStartObject();
            json.WriteString("check", failure.Check);
            json.WriteString("message", failure.Message);
            WriteNumberOrNull(json, "step", failure.StepIndex);
            WriteNumberOrNull(json, "line", failure.StepLine);
            json.WriteString("at", failure.At is { } at ? ReplayText.At(at) : null);
            json.WriteString("trade", failure.Trade);
            json.WriteString("expected", failure.Expected);
            json.WriteString("actual", failure.Actual);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } n)
        {
            json.WriteNumber(name, n);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
