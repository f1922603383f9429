using System.Collections.Immutable;
using Linkage.Engine;

namespace Linkage.Host;

/// <summary>How the host answered an intent handed over by a caller (a daemon's intake API).</summary>
public enum IntakeStatus
{
    /// <summary>The intent was staged now (write-ahead) under its client order id.</summary>
    Staged,

    /// <summary>The same intent was staged before: the same client order id, nothing new stored.</summary>
    AlreadyStaged,

    /// <summary>A different intent is already staged under this client order id: nothing stored.</summary>
    Conflict,

    /// <summary>The intent is malformed or out of bounds (<see cref="IntakeAnswer.Field"/> names what): nothing stored.</summary>
    Invalid,

    /// <summary>The store could not take it now (inputs are waiting for it, or it failed): nothing stored; ask again.</summary>
    StoreUnavailable,

    /// <summary>The host is stopping or stopped: nothing stored.</summary>
    Stopped,
}

/// <summary>The host's answer to <see cref="WebhookHost.StageIntent"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="ClientOrderId">The intent's client order id (known whenever the intent could be read).</param>
/// <param name="Field">For <see cref="IntakeStatus.Invalid"/> and <see cref="IntakeStatus.Conflict"/>: the field at fault.</param>
/// <param name="Reason">Why, in words, for every status but the two successes.</param>
public sealed record IntakeAnswer(IntakeStatus Status, ClientOrderId? ClientOrderId, string? Field = null, string? Reason = null)
{
    /// <summary>Whether the intent is staged (now or before).</summary>
    public bool IsStaged => Status is IntakeStatus.Staged or IntakeStatus.AlreadyStaged;
}

/// <summary>What <see cref="WebhookHost.StageIntent"/> returns: the answer for the caller and the commands for the driver.</summary>
/// <param name="Answer">The answer for the caller.</param>
/// <param name="Commands">The commands to carry out, in order (as every host event returns).</param>
public sealed record IntakeResult(IntakeAnswer Answer, ImmutableArray<HostCommand> Commands);

/// <summary>What <see cref="WebhookHost.StageCallerIntents"/> returns: one answer per intent, in order, and the commands for the driver.</summary>
/// <param name="Answers">The answers, one per payload, in the payloads' order.</param>
/// <param name="Commands">The commands to carry out, in order (as every host event returns).</param>
public sealed record IntakeBurst(ImmutableArray<IntakeAnswer> Answers, ImmutableArray<HostCommand> Commands);
