using System.Globalization;
using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Training;

/// <summary>What <see cref="TrainingData.Prepare"/> trains and tests on (`selectbench train`'s data options).</summary>
/// <param name="Data">The training source: a name (fashion-mnist) or a path; ":train" is implied for split sources.</param>
/// <param name="Test">The test source; null: the training source's ":test" split, else a stratified hold-out of <paramref name="TestFraction"/>.</param>
/// <param name="TestFraction">Share of the training images held out as test when the source has no test split.</param>
/// <param name="Subset">Train on a class-balanced subset of this many images (N/K per class); null: all of them.</param>
/// <param name="ValidationFraction">Share of the training images held out (stratified) for per-epoch validation; 0: none.</param>
/// <param name="DataSeed">Seeds the hold-outs and the subset, apart from the training seed, so training seeds share one data set.</param>
/// <param name="Load">How the sources are decoded.</param>
public sealed record TrainingDataSettings(
    string Data,
    string? Test = null,
    double TestFraction = 0.1,
    int? Subset = null,
    double ValidationFraction = 0,
    int DataSeed = 0,
    DataLoadOptions? Load = null);

/// <summary>The images a training run uses: the training set after hold-outs and subsetting, and its validation and test sets.</summary>
/// <param name="Description">The training source's description.</param>
/// <param name="Skipped">The inputs of the training source the loader left out (the skip policy), for training's metrics.json.</param>
public sealed record TrainingData(ImageSet Train, ImageSet? Validation, ImageSet? Test, string Description, IReadOnlyList<SkippedInput> Skipped)
{
    /// <summary>
    /// Loads the training source and resolves the test set (the explicit test source, else the training source's
    /// :test split, else a stratified hold-out), then holds out the validation share and takes the class-balanced
    /// subset, in that order and with <see cref="TrainingDataSettings.DataSeed"/>, so the same settings give the same
    /// images on every machine. <paramref name="log"/> gets a line for the source and one for how the test set was found.
    /// An error names the setting by its `selectbench train` option.
    /// </summary>
    public static TrainingData Prepare(TrainingDataSettings settings, Action<string>? log = null, CancellationToken cancellation = default)
    {
        log ??= _ => { };
        var options = settings.Load ?? new DataLoadOptions();
        cancellation.ThrowIfCancellationRequested();
        var source = DataSources.Load(settings.Data, options);
        var train = source.Images;
        log($"data:   {source.Description}: {train.Count:N0} images {train.Channels}x{train.Height}x{train.Width}, {train.LabelSet.Count} classes");

        cancellation.ThrowIfCancellationRequested();
        ImageSet? test;
        (train, test) = ResolveTest(settings, train, options, log);

        ImageSet? validation = null;
        if (settings.ValidationFraction is < 0 or >= 1)
            throw new SelectBenchException($"--val-fraction must be in [0, 1), not {settings.ValidationFraction.ToString(CultureInfo.InvariantCulture)}.");
        if (settings.ValidationFraction > 0)
        {
            var parts = StratifiedSplitter.Split(train.Labels,
                [SplitPart.OfFraction("val", settings.ValidationFraction), SplitPart.Rest("train")], settings.DataSeed);
            validation = train.Select(parts["val"]);
            train = train.Select(parts["train"]);
        }
        if (settings.Subset is { } n)
        {
            if (n < 2 || n > train.Count) throw new SelectBenchException($"--subset must be between 2 and the {train.Count:N0} training images, not {n}.");
            train = train.Select(ClassBalanced.BalancedSubsample(train.Labels, train.LabelSet.Count, n, settings.DataSeed));
        }
        return new TrainingData(train, validation, test, source.Description, source.Skipped);
    }

    /// <summary>The explicit test source, else the :test split of the training source, else a stratified hold-out.</summary>
    private static (ImageSet Train, ImageSet? Test) ResolveTest(TrainingDataSettings s, ImageSet train, DataLoadOptions options, Action<string> log)
    {
        if (s.Test is { } testSpec) return (train, Checked(DataSources.Load(testSpec, options).Images, train, testSpec));
        var source = s.Data.EndsWith(":train", StringComparison.Ordinal) ? s.Data[..^":train".Length] : s.Data;
        if (!source.Contains(':') || Path.Exists(source))
        {
            try
            {
                var loaded = DataSources.Load(source + ":test", options);
                log($"test:   {loaded.Description}");
                return (train, Checked(loaded.Images, train, source + ":test"));
            }
            catch (SelectBenchException e)
            {
                log($"test:   no test split ({e.Message.ReplaceLineEndings(" ")})");
            }
        }
        if (s.TestFraction is <= 0 or >= 1)
            throw new SelectBenchException($"--test-fraction must be in (0, 1), not {s.TestFraction.ToString(CultureInfo.InvariantCulture)}.");
        var parts = StratifiedSplitter.Split(train.Labels, [SplitPart.OfFraction("test", s.TestFraction), SplitPart.Rest("train")], s.DataSeed);
        log($"test:   holding out {parts["test"].Length:N0} training images (stratified, --test-fraction {s.TestFraction.ToString(CultureInfo.InvariantCulture)})");
        return (train.Select(parts["train"]), train.Select(parts["test"]));
    }

    private static ImageSet Checked(ImageSet test, ImageSet train, string spec) =>
        test.LabelSet.SameAs(train.LabelSet) ? test
            : throw new SelectBenchException($"Test source '{spec}' has another label set than the training data ({test.LabelSet.Count} vs {train.LabelSet.Count} classes).");
}
