using Linkage.Host;
using Linkage.Coinbase.Capture;
using Linkage.Engine;

namespace Linkage.Sim.Audit;

/// <summary>
/// Audits a capture: reads it line by line, maps each record to engine inputs (<see cref="CaptureMapper"/>), drives the
/// engine over a store with an <see cref="EngineCorrelator"/>, and builds the report from what the
/// store holds at the end and what the messages said. A bad line never stops the audit: it is quarantined with its
/// line and reason and the rest is read. Deterministic: the report depends only on the lines (capture <c>at</c> times
/// included), never on the wall clock, the store kind or hash order.
/// </summary>
public static class CaptureAudit
{
    /// <summary>How many lines pass between two calls of a progress callback.</summary>
    public const int ProgressEveryLines = 1_000;

    /// <summary>Audits <paramref name="lines"/> (from <see cref="CaptureReader"/>) into <paramref name="store"/>, which should start empty.</summary>
    /// <param name="lines">The capture, in file order.</param>
    /// <param name="store">Where the engine keeps its state; the caller owns it and may read it afterwards.</param>
    /// <param name="metrics">The engine's instruments, fed with every applied batch, when the caller exports them.</param>
    /// <param name="progress">Called with the lines read so far every <see cref="ProgressEveryLines"/> lines, so a command can show progress on a large capture (the audit itself reads no clock).</param>
    public static AuditReport Run(IEnumerable<CaptureLine> lines, ILinkageStore store, LinkageMetrics? metrics = null, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(store);
        var session = new AuditSession(store, metrics);
        var read = 0;
        foreach (var line in lines)
        {
            session.Read(line);
            if (++read % ProgressEveryLines == 0)
            {
                progress?.Invoke(read);
            }
        }
        return session.Report();
    }

    /// <summary>Opens <paramref name="path"/> and audits it; I/O errors (file missing, unreadable) throw.</summary>
    public static AuditReport Run(string path, ILinkageStore store, LinkageMetrics? metrics = null, Action<int>? progress = null)
    {
        using var stream = File.OpenRead(path);
        return Run(CaptureReader.Read(stream), store, metrics, progress);
    }
}

/// <summary>One audit's moving parts: mapper, correlator and what the processing showed, line by line.</summary>
internal sealed class AuditSession
{
    private readonly ILinkageStore _store;
    private readonly EngineCorrelator _correlator;
    private readonly List<AuditAnomaly> _anomalies = [];
    private readonly ExchangeView _exchange;
    private readonly CaptureMapper _mapper;
    private readonly AuditNotes _notes = new();
    private DateTimeOffset? _firstAt;
    private DateTimeOffset _lastAt = DateTimeOffset.UnixEpoch;
    private int _lines;

    public AuditSession(ILinkageStore store, LinkageMetrics? metrics)
    {
        _store = store;
        _correlator = new EngineCorrelator(store, metrics);
        _exchange = new ExchangeView(_anomalies);
        _mapper = new CaptureMapper(_exchange, _anomalies);
    }

    public void Read(CaptureLine line)
    {
        _lines++;
        switch (line)
        {
            case CaptureRecord record:
                _firstAt ??= record.At;
                _lastAt = record.At;
                foreach (var input in Map(record))
                {
                    Process(input, record.Line);
                }
                break;
            case CaptureProblem problem:
                // A refused line has no time of its own; it is stamped with the last good line's, so it sorts in place.
                Process(CaptureMapper.Refused(problem, _lastAt), problem.Line);
                break;
            default:
                break;
        }
    }

    public AuditReport Report() =>
        ReportBuilder.Build(_store, _exchange, _mapper.FirstRequestAt, _notes, _anomalies, _lines, _firstAt ?? DateTimeOffset.MinValue);

    /// <summary>
    /// Maps a record; the mapper reads the store to classify a Get Order answer, and a store that fails that read costs
    /// this line (reported as <see cref="AnomalyKinds.StoreFailed"/>), not the audit.
    /// </summary>
    private IEnumerable<EngineInput> Map(CaptureRecord record)
    {
        try
        {
            return _mapper.Map(record, _store);
        }
#pragma warning disable CA1031 // The parsers never throw, so a failure here is the store's read: report it and read on.
        catch (Exception failure)
#pragma warning restore CA1031
        {
            _anomalies.Add(new AuditAnomaly(AnomalyKinds.StoreFailed, record.Line, $"the store failed while the line was read: {failure.GetType().Name}: {failure.Message}"));
            return [];
        }
    }

    /// <summary>
    /// Processes one input as the webhook's loop does (<see cref="ProcessLoop"/>: offered again while the store fails),
    /// and notes what the applied batch decided, attributed to <paramref name="line"/>.
    /// </summary>
    private void Process(EngineInput input, int line)
    {
        var result = ProcessLoop.Run(_correlator, [input])[0];
        if (result.Status == ProcessStatus.StoreFailed)
        {
            _anomalies.Add(new AuditAnomaly(AnomalyKinds.StoreFailed, line, result.Detail ?? "the store failed"));
            return;
        }
        _notes.Note(result.Batch!, line);
    }
}
