using SelectBench.Analysis;
using SelectBench.Common;
using SelectBench.Embedding;
using SelectBench.Search;

namespace SelectBench.Curation.PostSteps;

/// <param name="LabelCleaning">Remove the label issues confident learning finds in the shift.</param>
/// <param name="LabelCleaningNeighbours">k of the leave-one-out kNN whose votes are the out-of-sample probabilities.</param>
public sealed record LabelCleaningSettings(bool LabelCleaning = false, int LabelCleaningNeighbours = 10) : ISettings
{
    public void Validate(string where) => SettingRules.Positive(where, "label_cleaning_neighbours", LabelCleaningNeighbours);
}

/// <summary>
/// Label cleaning by confident learning (Northcutt, Jiang and Chuang 2021, "Confident Learning: Estimating
/// Uncertainty in Dataset Labels", JAIR 70): out-of-sample class probabilities from a leave-one-out kNN in the fixed
/// encoder (<see cref="NeighbourLabels"/>), then removal of what cleanlab's
/// <c>find_label_issues(filter_by="prune_by_noise_rate")</c> flags (<see cref="ConfidentLearning.PruneByNoiseRate"/>).
/// Runs after any labelled strategy; the label-cleaning strategy applies the same rule to a web pool.
/// </summary>
[Registered("label-cleaning", Settings = typeof(LabelCleaningSettings),
    Description = "Confident learning: remove the label issues cleanlab's prune_by_noise_rate flags, with leave-one-out kNN probabilities")]
public sealed class LabelIssueRemoval(LabelCleaningSettings settings) : IPostStep
{
    public LabelCleaningSettings Settings { get; } = settings;

    public PostStepOutcome? Run(Shift shift, CurationContext context)
    {
        if (!Settings.LabelCleaning || shift.Images.Count <= 1) return null;
        var flagged = Flag(context.Embed(shift.Images).Normalised(), shift.Images.Labels, context.Labels.Count,
                           Settings.LabelCleaningNeighbours, context.SearchFactory);
        var drop = new HashSet<int>(flagged);
        return new PostStepOutcome(Enumerable.Range(0, shift.Images.Count).Where(i => !drop.Contains(i)).ToArray(),
            $"label-cleaning (confident learning, prune_by_noise_rate, {Settings.LabelCleaningNeighbours}-NN probabilities)");
    }

    /// <summary>The indices confident learning flags as label issues, ascending.</summary>
    public static int[] Flag(Embeddings normalised, IReadOnlyList<int> labels, int classes, int neighbours,
                             Func<Embeddings, INearestNeighbourSearch> searchFactory)
    {
        if (labels.Count <= 1) return [];
        var probabilities = NeighbourLabels.Shares(normalised, labels, classes, neighbours, searchFactory);
        return ConfidentLearning.PruneByNoiseRate(probabilities, labels.ToArray(), classes);
    }
}
