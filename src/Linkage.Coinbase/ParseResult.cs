using System.Diagnostics.CodeAnalysis;

namespace Linkage.Coinbase;

/// <summary>
/// Why a message was refused: a human-readable <see cref="Reason"/> and the <see cref="Field"/> at fault as a JSON path
/// (for example <c>events[0].orders[1].cumulative_quantity</c>), or null when the message as a whole is at fault
/// (too long, not JSON, not UTF-8).
/// </summary>
public sealed record ParseError(string Reason, string? Field)
{
    public override string ToString() => Field is null ? Reason : $"{Field}: {Reason}";
}

/// <summary>
/// The outcome of parsing one message: a value, or a <see cref="ParseError"/>. Parsers return it for every input, valid
/// or not; bad input is data, never an exception. Immutable and thread-safe.
/// </summary>
public sealed class ParseResult<T>
{
    private readonly T? _value;

    internal ParseResult(T value)
    {
        _value = value;
        IsSuccess = true;
    }

    internal ParseResult(ParseError error) => Error = error;

    /// <summary>True when the message was valid; then <see cref="Value"/> holds it and <see cref="Error"/> is null.</summary>
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess { get; }

    /// <summary>The parsed value; reading it from a failed result is a programmer error and throws.</summary>
    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"The parse failed: {Error}");

    /// <summary>Why the message was refused, or null on success.</summary>
    public ParseError? Error { get; }

    /// <summary>The failure's reason, or null on success.</summary>
    public string? Reason => Error?.Reason;

    /// <summary>The failure's field (JSON path), or null on success or when the whole message is at fault.</summary>
    public string? Field => Error?.Field;

    /// <summary>Gets the value when the parse succeeded.</summary>
    public bool TryGetValue([MaybeNullWhen(false)] out T result)
    {
        result = _value;
        return IsSuccess;
    }

    public override string ToString() => IsSuccess ? $"Ok({_value})" : $"Error({Error})";
}

/// <summary>Factory for <see cref="ParseResult{T}"/>.</summary>
public static class ParseResult
{
    public static ParseResult<T> Ok<T>(T value) => new(value);

    public static ParseResult<T> Fail<T>(ParseError error) => new(error);

    public static ParseResult<T> Fail<T>(string? field, string reason) => new(new ParseError(reason, field));
}
