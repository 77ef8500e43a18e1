using System.Diagnostics;

namespace SelectBench.Common;

/// <summary>
/// A console progress bar with ETA and free-form status (loss, accuracy). On a terminal it redraws one
/// line on stderr; when stderr is redirected (CI, logs) it prints a plain line at most every few seconds,
/// so logs stay readable. Thread-safe.
/// </summary>
public sealed class ProgressBar : IDisposable
{
    private readonly string _label;
    private readonly long _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private readonly object _gate = new();
    private readonly TimeSpan _logEvery;
    private long _done;
    private string _status = "";
    private TimeSpan? _lastDraw;
    private long _lastDrawnDone = -1;
    private bool _finished;

    /// <summary>Set (to anything) in a process's environment to silence its bars, e.g. the jobs a run starts as child processes.</summary>
    public const string DisableVariable = "SELECTBENCH_NO_PROGRESS";

    /// <summary>Set to false (e.g. by tests or a quiet flag) to suppress all progress output.</summary>
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable(DisableVariable) is null;

    private static readonly AsyncLocal<bool> QuietHere = new();

    /// <summary>
    /// Silences bars created by this thread and the tasks it starts, e.g. jobs running inside `selectbench run`,
    /// whose one bar for the whole run would otherwise be interleaved with theirs.
    /// </summary>
    public static void SilenceThisFlow() => QuietHere.Value = true;

    private readonly bool _quiet = QuietHere.Value;

    public ProgressBar(string label, long total, TimeSpan? logEvery = null)
    {
        _label = label;
        _total = Math.Max(1, total);
        _logEvery = logEvery ?? TimeSpan.FromSeconds(10);
    }

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Report(long done, string? status = null)
    {
        lock (_gate)
        {
            _done = Math.Min(done, _total);
            if (status != null) _status = status;
            Draw(force: false);
        }
    }

    public void Advance(long by = 1, string? status = null)
    {
        lock (_gate) { Report(_done + by, status); }
    }

    /// <summary>ETA from the average rate so far; null before any progress.</summary>
    public static TimeSpan? Eta(long done, long total, TimeSpan elapsed) =>
        done <= 0 ? null : TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (total - done));

    private void Draw(bool force)
    {
        if (!Enabled || _quiet) return;
        var now = _clock.Elapsed;
        var minGap = _interactive ? TimeSpan.FromMilliseconds(100) : _logEvery;
        if (!force && _lastDraw is { } last && now - last < minGap && _done < _total) return;
        // The closing draw adds nothing when the last line already shows the final count.
        if (force && _lastDrawnDone == _done) return;
        _lastDraw = now;
        _lastDrawnDone = _done;
        double frac = (double)_done / _total;
        var eta = Eta(_done, _total, now);
        var etaText = eta is { } e ? Format(e) : "--:--";
        const int width = 28;
        int filled = (int)Math.Round(frac * width);
        var line = $"{_label} [{new string('#', filled)}{new string('.', width - filled)}] {frac * 100,5:F1}% {_done}/{_total} " +
                   $"{Format(now)} ETA {etaText} {_status}";
        if (_interactive) Console.Error.Write("\r" + line.PadRight(Math.Min(Console.BufferWidth > 0 ? Console.BufferWidth - 1 : 120, 160)));
        else Console.Error.WriteLine(line);
    }

    private static string Format(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:D2}:{t.Seconds:D2}" : $"{t.Minutes:D2}:{t.Seconds:D2}";

    public void Dispose()
    {
        lock (_gate)
        {
            if (_finished) return;
            _finished = true;
            Draw(force: true);
            if (_interactive && Enabled && !_quiet) Console.Error.WriteLine();
        }
    }
}
