using SelectBench.Common;
using SelectBench.Curation.PostSteps;

namespace SelectBench.Curation.Strategies;

/// <param name="Pool">The web pool selected from.</param>
/// <param name="WebLabels">"simulated" (drawn from the pool's hidden truth) or "given" (the pool's own labels).</param>
/// <param name="WebLabelNoise">For simulated web labels: the share of real images given a wrong class.</param>
/// <param name="Neighbours">k of the leave-one-out kNN whose votes are the out-of-sample probabilities.</param>
public sealed record LabelCleaningStrategySettings(string Pool = "pool", string WebLabels = WebPool.Simulated, double WebLabelNoise = 0.3,
                                                   int Neighbours = 10) : ISettings
{
    public void Validate(string where)
    {
        WebPool.Validate(where, Pool, WebLabels, WebLabelNoise);
        SettingRules.Positive(where, "neighbours", Neighbours);
    }
}

/// <summary>
/// Confident learning over a web pool (Northcutt, Jiang and Chuang 2021, JAIR 70): the label issues cleanlab's
/// <c>find_label_issues(filter_by="prune_by_noise_rate")</c> flags among the pool's web labels are removed
/// (<see cref="LabelIssueRemoval"/>, with leave-one-out kNN probabilities in the fixed encoder), and N/K images per
/// web label are taken from the rest in the run's pool order, as web-labels does. The same cleaning runs after any
/// labelled strategy as the post-step <c>label_cleaning: true</c>.
/// </summary>
[Registered("label-cleaning", Settings = typeof(LabelCleaningStrategySettings),
    Description = "Confident learning on the web pool's labels (cleanlab prune_by_noise_rate), then class-balanced to N")]
public sealed class LabelCleaning(LabelCleaningStrategySettings settings) : IShiftStrategy
{
    public string Name => "label-cleaning";

    public Shift Build(CurationContext context)
    {
        var pool = WebPool.Load(context, settings.Pool, settings.WebLabels, settings.WebLabelNoise, Name);
        context.Progress("label-cleaning: kNN probabilities", 0, 1);
        var flagged = LabelIssueRemoval.Flag(pool.Embeddings(context), pool.Labels, pool.Classes, settings.Neighbours, context.SearchFactory);
        context.Progress("label-cleaning: kNN probabilities", 1, 1);
        var keep = Enumerable.Repeat(true, pool.Count).ToArray();
        foreach (var i in flagged) keep[i] = false;
        var picked = pool.TakePerClass(pool.Order(context, keep), context.PerClassTarget);
        return pool.Assemble(Name, context, picked, embedded: true, pool.Count * context.Costs.SearchQueryDollars,
            [$"confident learning flagged {flagged.Length} of {pool.Count} web labels as issues ({settings.Neighbours}-NN out-of-sample probabilities); N/K per web label from the rest."]);
    }
}
