using System.Text;
using Linkage.Coinbase.Capture;
using Linkage.Sim.Scenarios;

namespace Linkage.Cli;

/// <summary>
/// Writes <c>replay --capture DIR</c>: each scenario's <see cref="ScenarioResult.Capture"/> lines to <c>DIR/&lt;name&gt;.jsonl</c>
/// in the <c>docs/capture.md</c> format, through the same <see cref="CaptureWriter"/> a production capture uses, so <c>audit</c>
/// reads a simulated run exactly like a real one. Scenario names are unique within a run and the loader keeps them free
/// of path characters, so each scenario gets its own file inside DIR.
/// </summary>
internal static class CaptureFiles
{
    public static string PathFor(string folder, string scenarioName) => Path.Combine(folder, scenarioName + ".jsonl");

    public static void Write(string folder, ScenarioResult result)
    {
        Directory.CreateDirectory(folder);
        var text = new StringBuilder();
        foreach (var line in result.Capture)
        {
            var kind = CaptureKinds.TryParse(line.Kind)
                ?? throw new InvalidOperationException($"the runner recorded a capture line of unknown kind '{line.Kind}'");
            text.Append(CaptureWriter.Format(line.At, kind, line.DataJson));
        }
        File.WriteAllText(PathFor(folder, result.Name), text.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }
}
