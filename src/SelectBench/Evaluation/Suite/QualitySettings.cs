using SelectBench.Analysis;
using SelectBench.Common;

namespace SelectBench.Evaluation.Suite;

/// <summary>Label- and image-quality settings: the <c>quality</c> key of a run config's evaluation section, read by both metrics.</summary>
/// <param name="CrossValidationFolds">Folds of the out-of-sample kNN classifier used for confident learning.</param>
/// <param name="NeighbourK">k of that kNN classifier.</param>
/// <param name="DuplicateThreshold">Cosine at or above which two images are near-duplicates (and a shift image leaks into an eval set).</param>
/// <param name="MaxImages">Cap on images per set for the quadratic image-quality metrics (sampled with <see cref="Seed"/>); 0 = all.</param>
public sealed record QualitySettings(int CrossValidationFolds = 5, int NeighbourK = 20, double DuplicateThreshold = NearDuplicates.DefaultThreshold,
    int MaxImages = 5000, int Seed = 0) : ISettings
{
    public void Validate(string where)
    {
        if (CrossValidationFolds < 2)
            throw new SelectBenchException($"{where}.cross_validation_folds: {CrossValidationFolds} is not allowed; give 2 or more folds.");
        SettingRules.Positive(where, "neighbour_k", NeighbourK);
        SettingRules.InRange(where, "duplicate_threshold", DuplicateThreshold, -1, 1);
        SettingRules.NonNegative(where, "max_images", MaxImages);
    }
}
