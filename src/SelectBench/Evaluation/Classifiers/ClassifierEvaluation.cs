using System.Diagnostics;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Statistics;

namespace SelectBench.Evaluation.Classifiers;

/// <summary>
/// One classifier scored on one image set (`selectbench evaluate` without --suite): the metrics.json it writes
/// (snake_case; <c>top1</c> as in training's metrics.json). NaN (a class never labelled or never predicted) is null.
/// </summary>
public sealed record ClassifierEvaluation(string Model, string Data, int Images, double Top1, double Top5, double? BalancedAccuracy,
    string[] ClassNames, double?[] PerClassAccuracy, double?[] PerClassPrecision, int[][] ConfusionMatrix, double Seconds, double ImagesPerSecond)
{
    public const string MetricsFile = "metrics.json";

    /// <summary>The prefix of the exports: eval_probabilities.npy, eval_predictions.npy, eval_labels.npy.</summary>
    public const string ExportPrefix = "eval";

    /// <summary>
    /// Predicts every image, then writes <see cref="MetricsFile"/> and the .npy exports into <paramref name="outDir"/>.
    /// Class i of the data is scored as the classifier's class i: a different class count is an error, different class
    /// names only a warning to <paramref name="warn"/>.
    /// </summary>
    /// <param name="data">Names the data in metrics.json (the source's description).</param>
    public static ClassifierEvaluation Run(IImageClassifier classifier, ImageSet images, string data, string outDir, Action<string>? warn = null)
    {
        if (classifier.LabelSet.Count != images.LabelSet.Count)
            throw new SelectBenchException($"{classifier.Name} predicts {classifier.LabelSet.Count} classes but '{data}' has {images.LabelSet.Count}; evaluate on data with the model's label set.");
        if (!classifier.LabelSet.Names.SequenceEqual(images.LabelSet.Names))
            warn?.Invoke($"the data's class names differ from the model's; class i of the data is scored as the model's class i ({classifier.LabelSet.Names[0]} = {images.LabelSet.Names[0]}, ...).");

        var clock = Stopwatch.StartNew();
        var probabilities = classifier.PredictProbabilities(images);
        double seconds = clock.Elapsed.TotalSeconds;
        int classes = classifier.LabelSet.Count;
        var report = ClassificationMetrics.Compute(probabilities, images.Labels, classes);
        Directory.CreateDirectory(outDir);
        ClassificationMetrics.Export(outDir, ExportPrefix, probabilities, images.Labels, classes);
        static double? Finite(double v) => double.IsNaN(v) ? null : v;
        var result = new ClassifierEvaluation(classifier.Name, data, images.Count, report.Top1, report.Top5, Finite(report.BalancedAccuracy),
            classifier.LabelSet.Names.ToArray(), report.PerClassAccuracy.Select(Finite).ToArray(), report.PerClassPrecision.Select(Finite).ToArray(),
            report.ConfusionMatrix, seconds, seconds > 0 ? images.Count / seconds : 0);
        AtomicFile.WriteJson(Path.Combine(outDir, MetricsFile), result);
        return result;
    }
}
