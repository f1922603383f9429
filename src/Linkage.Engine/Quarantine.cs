namespace Linkage.Engine;

/// <summary>Builds the quarantine record of a refused input, keeping its payload within <see cref="Limits.QuarantinedPayloadLengthMax"/>.</summary>
public static class Quarantine
{
    /// <summary>
    /// The record for <paramref name="input"/>. A malformed input keeps its raw payload; a typed input keeps its printed
    /// form (records print every member, invariantly under <c>InvariantGlobalization</c>), so the operator sees exactly
    /// what was refused. A payload over the bound is cut and the reason says so.
    /// </summary>
    public static QuarantineRecord Record(EngineInput input, DateTimeOffset at, string reason, string? field)
    {
        var malformed = input as MalformedInput;
        var payload = malformed?.RawPayload ?? input.ToString();
        if (payload.Length > Limits.QuarantinedPayloadLengthMax)
        {
            reason = $"{reason} (payload truncated from {payload.Length} to {Limits.QuarantinedPayloadLengthMax} characters)";
            payload = payload[..Limits.QuarantinedPayloadLengthMax];
        }
        return new QuarantineRecord
        {
            At = at,
            Kind = malformed?.Kind ?? input.GetType().Name,
            Reason = reason,
            Field = field,
            Line = malformed?.Line,
            Origin = input.Origin,
            RawPayload = payload,
        };
    }
}
