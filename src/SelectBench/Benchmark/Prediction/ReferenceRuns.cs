using System.Globalization;
using System.Text.Json;
using SelectBench.Common;

namespace SelectBench.Benchmark.Prediction;

/// <summary>One proxy's score on a reference run.</summary>
/// <param name="CostRatio">The proxy's CPU-seconds over the full run's (its training jobs).</param>
public sealed record ReferenceProxy(string Name, double CostRatio, double DecisionAccuracy, double CiLow, double CiHigh, double KendallTau);

/// <summary>
/// reference-runs/&lt;name&gt;.json: every proxy scored against a full run of a shipped config, written by `selectbench predict
/// --full` (the file <see cref="PredictionRunner.ReferenceFile"/> in its output) and compiled into the library.
/// </summary>
/// <param name="Name">quick, standard, selection.</param>
/// <param name="Config">The config that was run, e.g. configs/run-quick.yaml.</param>
/// <param name="Measured">When and on what CPU, for the reader.</param>
public sealed record ReferenceRun(string Name, string Config, string ConfigHash, string Measured, int Shifts, int Seeds, double FullCpuSeconds,
    IReadOnlyList<ReferenceProxy> Proxies);

/// <param name="Proxy">The recommended proxy's name.</param>
/// <param name="Reliable">Whether it reached the threshold on every reference run that scored it.</param>
/// <param name="Evidence">Its score on each reference run, for the reader.</param>
public sealed record ProxyRecommendation(string Proxy, bool Reliable, double Threshold, string Basis, IReadOnlyList<ReferenceEvidence> Evidence)
{
    /// <summary>One line: which proxy, and how it did.</summary>
    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        var runs = string.Join("; ", Evidence.Select(e =>
            $"{e.Run}: decision accuracy {e.DecisionAccuracy.ToString("0.##", inv)} [{e.CiLow.ToString("0.##", inv)}, {e.CiHigh.ToString("0.##", inv)}], " +
            $"tau {e.KendallTau.ToString("0.##", inv)}, cost {(100 * e.CostRatio).ToString("0.#", inv)}% of full training"));
        return Reliable
            ? $"{Proxy}: the cheapest proxy with decision accuracy >= {Threshold.ToString("0.##", inv)} on {Basis} ({runs})"
            : $"{Proxy}: no proxy reached decision accuracy {Threshold.ToString("0.##", inv)} on {Basis}; this one came closest ({runs}). Treat its ranking as a guess.";
    }
}

/// <summary>A recommended proxy's score on one run.</summary>
public sealed record ReferenceEvidence(string Run, double DecisionAccuracy, double CiLow, double CiHigh, double KendallTau, double CostRatio);

/// <summary>The reference runs shipped with SelectBench (reference-runs/*.json, compiled in) and the recommendation they give.</summary>
public static class ReferenceRuns
{
    private const string Prefix = "reference-runs/";

    /// <summary>Decision accuracy a proxy must reach to be recommended (issue 14).</summary>
    public const double Threshold = 0.9;

    public static IReadOnlyList<ReferenceRun> BuiltIn()
    {
        var assembly = typeof(ReferenceRuns).Assembly;
        var runs = new List<ReferenceRun>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            runs.Add(JsonSerializer.Deserialize<ReferenceRun>(stream, Json.Options)
                     ?? throw new SelectBenchException($"the built-in {name} is empty; rebuild SelectBench."));
        }
        return runs;
    }

    /// <summary>
    /// The cheapest proxy (by its largest cost ratio over the runs) that every reference run scored and that reached
    /// <paramref name="threshold"/> decision accuracy on each, among <paramref name="candidates"/>; when none did, the one
    /// scored on the most runs whose worst decision accuracy is highest (ties: the cheaper), marked unreliable. Null when
    /// no run scored any candidate. Remaining ties go to the earlier candidate.
    /// </summary>
    public static ProxyRecommendation? Recommend(IReadOnlyList<ReferenceRun> runs, IReadOnlyList<string> candidates, double threshold = Threshold)
    {
        var scored = candidates
            .Select((name, order) => (Name: name, Order: order, Scores: runs
                .SelectMany(r => r.Proxies.Where(p => p.Name == name && double.IsFinite(p.DecisionAccuracy)).Select(p => (Run: r.Name, Proxy: p))).ToList()))
            .Where(c => c.Scores.Count > 0).ToList();
        if (scored.Count == 0) return null;
        // Reliable: scored on every reference run and at the threshold on each (a run that did not score a proxy is no
        // evidence for it). Otherwise a guess: the proxy with the most evidence, then the best worst case.
        var reliable = scored.Where(c => c.Scores.Count == runs.Count && c.Scores.All(s => s.Proxy.DecisionAccuracy >= threshold)).ToList();
        var chosen = reliable.Count > 0
            ? reliable.OrderBy(c => c.Scores.Max(s => s.Proxy.CostRatio)).ThenBy(c => c.Order).First()
            : scored.OrderByDescending(c => c.Scores.Count).ThenByDescending(c => c.Scores.Min(s => s.Proxy.DecisionAccuracy))
                .ThenBy(c => c.Scores.Max(s => s.Proxy.CostRatio)).ThenBy(c => c.Order).First();
        var basis = $"the reference run{(runs.Count == 1 ? "" : "s")} {string.Join(", ", chosen.Scores.Select(s => s.Run))}";
        return new ProxyRecommendation(chosen.Name, reliable.Count > 0, threshold, basis, chosen.Scores
            .Select(s => new ReferenceEvidence(s.Run, s.Proxy.DecisionAccuracy, s.Proxy.CiLow, s.Proxy.CiHigh, s.Proxy.KendallTau, s.Proxy.CostRatio)).ToList());
    }
}
