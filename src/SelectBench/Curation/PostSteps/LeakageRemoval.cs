using SelectBench.Analysis;
using SelectBench.Common;

namespace SelectBench.Curation.PostSteps;

/// <param name="LeakageThreshold">Remove images whose max cosine to any image of <paramref name="LeakageEvalSets"/> is at least this; null = off.</param>
/// <param name="LeakageEvalSets">Names of the eval sets checked for leakage.</param>
public sealed record LeakageSettings(double? LeakageThreshold = null, string[]? LeakageEvalSets = null) : ISettings
{
    public void Validate(string where)
    {
        if (LeakageThreshold is { } l) SettingRules.InRange(where, "leakage_threshold", l, -1, 1);
        if (LeakageThreshold != null && (LeakageEvalSets == null || LeakageEvalSets.Length == 0))
            throw new SelectBenchException($"{where}.leakage_eval_sets: empty; name the eval sets to check for leakage, or remove leakage_threshold.");
    }
}

/// <summary>
/// Leakage removal: an image is removed when its highest cosine similarity to any eval image is at least
/// the threshold (docs/curation.md, "leakage of shift images into eval sets").
/// </summary>
[Registered("leakage", Settings = typeof(LeakageSettings),
    Description = "Remove an image whose cosine to any image of the named eval sets is at least the threshold")]
public sealed class LeakageRemoval(LeakageSettings settings) : IPostStep
{
    public LeakageSettings Settings { get; } = settings;

    public PostStepOutcome? Run(Shift shift, CurationContext context)
    {
        if (Settings.LeakageThreshold is not { } threshold) return null;
        var evalSets = Settings.LeakageEvalSets!;
        var emb = context.Embed(shift.Images).Normalised();
        var maxSim = Enumerable.Repeat(float.NegativeInfinity, shift.Images.Count).ToArray();
        foreach (var name in evalSets)
        {
            var eval = context.RequireAnySet(name, "leakage eval set");
            if (eval.Count == 0 || emb.Count == 0) continue;
            using var search = context.SearchFactory(context.Embed(eval).Normalised());
            var nn = search.Search(emb.Data, emb.Count, 1);
            for (int i = 0; i < emb.Count; i++) maxSim[i] = Math.Max(maxSim[i], nn.SimilaritiesOf(i)[0]);
        }
        return new PostStepOutcome(Keep(maxSim, threshold), $"leakage (cosine >= {threshold} to {string.Join(", ", evalSets)})");
    }

    /// <summary>Indices to keep. <paramref name="maxSimilarityToEval"/>[i] = max cosine of shift image i to any eval image.</summary>
    public static int[] Keep(IReadOnlyList<float> maxSimilarityToEval, double threshold)
    {
        return Enumerable.Range(0, maxSimilarityToEval.Count).Where(i => !NearDuplicates.Reaches(maxSimilarityToEval[i], threshold)).ToArray();
    }
}
