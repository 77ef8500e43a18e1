using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// Applies a <see cref="BadInputPolicy"/> to each bad input a reader meets: under Fail it throws a
/// <see cref="BadInputException"/> naming the item; under Skip it warns and records the item, so the skip is
/// visible in the load result and the cache manifest rather than silently changing the data. Thread-safe.
/// </summary>
public sealed class BadInputLog
{
    private readonly DataLoadOptions _options;
    private readonly List<SkippedInput> _skipped = [];
    private readonly object _gate = new();

    public BadInputLog(DataLoadOptions options) => _options = options;

    public BadInputPolicy Policy => _options.OnBadInput;

    /// <summary>Reports one bad item. Returns only under Skip (the caller then leaves the item out).</summary>
    public void Report(string item, string reason, Exception? inner = null)
    {
        if (_options.OnBadInput == BadInputPolicy.Fail)
        {
            var hint = " (pass --on-bad-input skip to leave such items out and list them in the summary)";
            throw inner == null ? new BadInputException(item, reason + hint) : new BadInputException(item, reason + hint, inner);
        }
        var skipped = new SkippedInput(item, reason);
        lock (_gate) _skipped.Add(skipped);
        _options.Warn(Warning(skipped));
    }

    /// <summary>The warning a skip prints, the same whether the set is decoded now or its skips are replayed from the cache.</summary>
    internal static string Warning(SkippedInput skipped) => $"skipped {skipped.Item}: {skipped.Reason}";

    public void Report(BadInputException e) => Report(e.Item, e.Message.StartsWith(e.Item + ": ", StringComparison.Ordinal) ? e.Message[(e.Item.Length + 2)..] : e.Message, e);

    /// <summary>Skipped items so far, in a stable order (sorted by item), whatever order parallel decoding met them in.</summary>
    public IReadOnlyList<SkippedInput> Skipped
    {
        get { lock (_gate) return _skipped.OrderBy(s => s.Item, StringComparer.Ordinal).ToArray(); }
    }
}
