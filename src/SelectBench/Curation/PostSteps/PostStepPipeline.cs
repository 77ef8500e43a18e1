using SelectBench.Data;
using SelectBench.Common;

namespace SelectBench.Curation.PostSteps;

/// <param name="LeakageThreshold">Remove images whose max cosine to any image of <paramref name="LeakageEvalSets"/> is at least this; null = off.</param>
/// <param name="LeakageEvalSets">Names of the eval sets checked for leakage.</param>
/// <param name="NearDuplicateThreshold">Remove images with cosine at least this to an earlier kept image; null = off.</param>
/// <param name="DuplicateNeighbours">Neighbours per image examined by near-duplicate removal.</param>
/// <param name="ClassCap">Keep at most this many images per class; null = off.</param>
/// <param name="Balance">Cap every class at the smallest present class's count.</param>
public sealed record PostStepSettings(
    double? LeakageThreshold = null,
    string[]? LeakageEvalSets = null,
    double? NearDuplicateThreshold = null,
    int DuplicateNeighbours = 32,
    int? ClassCap = null,
    bool Balance = false)
{
    public void Validate(string where)
    {
        if (LeakageThreshold is { } l) SettingRules.InRange(where, "leakage_threshold", l, -1, 1);
        if (LeakageThreshold != null && (LeakageEvalSets == null || LeakageEvalSets.Length == 0))
            throw new Common.SelectBenchException($"{where}.leakage_eval_sets: empty; name the eval sets to check for leakage, or remove leakage_threshold.");
        if (NearDuplicateThreshold is { } d) SettingRules.InRange(where, "near_duplicate_threshold", d, -1, 1);
        SettingRules.Positive(where, "duplicate_neighbours", DuplicateNeighbours);
        if (ClassCap is { } c) SettingRules.Positive(where, "class_cap", c);
    }
}

/// <summary>
/// Applies the generic post-steps in a fixed order (leakage, near-duplicates, class cap, balance), each
/// recording how many images it removed. Removed samples' costs move to the shift's overhead: they were
/// paid for but are not in the shift.
/// </summary>
public static class PostStepPipeline
{
    public static Shift Apply(Shift shift, PostStepSettings settings, CurationContext context)
    {
        settings.Validate("post_steps");
        var removed = shift.Report.Removed.ToList();
        var current = shift;

        if (settings.LeakageThreshold is { } leak)
        {
            var emb = context.Embed(current.Images).Normalised();
            var maxSim = Enumerable.Repeat(float.NegativeInfinity, current.Images.Count).ToArray();
            foreach (var name in settings.LeakageEvalSets!)
            {
                var eval = context.RequireAnySet(name, "leakage eval set");
                if (eval.Count == 0 || emb.Count == 0) continue;
                using var search = context.SearchFactory(context.Embed(eval).Normalised());
                var nn = search.Search(emb.Data, emb.Count, 1);
                for (int i = 0; i < emb.Count; i++) maxSim[i] = Math.Max(maxSim[i], nn.SimilaritiesOf(i)[0]);
            }
            current = Keep(current, LeakageRemoval.Keep(maxSim, leak), $"leakage (cosine >= {leak} to {string.Join(", ", settings.LeakageEvalSets!)})", removed);
        }
        if (settings.NearDuplicateThreshold is { } dup && current.Images.Count > 1)
        {
            var emb = context.Embed(current.Images).Normalised();
            using var search = context.SearchFactory(emb);
            var nn = search.Search(emb.Data, emb.Count, Math.Min(emb.Count, settings.DuplicateNeighbours + 1));
            current = Keep(current, NearDuplicateRemoval.KeepFirst(nn, emb.Count, dup), $"near-duplicates (cosine >= {dup})", removed);
        }
        if (settings.ClassCap is { } cap)
            current = Keep(current, ClassCap.Keep(current.Images.Labels, context.Labels.Count, cap), $"class cap {cap}", removed);
        if (settings.Balance)
        {
            int balance = ClassCap.BalanceCap(current.Images.Labels, context.Labels.Count);
            current = Keep(current, ClassCap.Keep(current.Images.Labels, context.Labels.Count, balance), $"balance to {balance} per class", removed);
        }
        return current with { Report = current.Report with { Removed = removed } };
    }

    private static Shift Keep(Shift shift, int[] keep, string step, List<RemovedCount> removed)
    {
        int dropped = shift.Images.Count - keep.Length;
        removed.Add(new RemovedCount(step, dropped));
        if (dropped == 0) return shift;
        var keptSet = new HashSet<int>(keep);
        double lost = 0;
        for (int i = 0; i < shift.Images.Count; i++) if (!keptSet.Contains(i)) lost += shift.Provenance[i].Cost;
        ImageSet images = shift.Images.Select(keep);
        return shift with
        {
            Images = images,
            OverheadCost = shift.OverheadCost + lost,
            Report = shift.Report with { ClassCounts = images.ClassCounts() },
        };
    }
}
