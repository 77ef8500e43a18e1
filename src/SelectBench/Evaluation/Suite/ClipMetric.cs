using SelectBench.Common;
using SelectBench.Encoders;
using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;

namespace SelectBench.Evaluation.Suite;

/// <summary>Settings of the CLIP metrics (the run config's <c>evaluation.clip</c>, <c>evaluation.caption_template</c>).</summary>
/// <param name="Clip">The ONNX CLIP image and text towers with their tokenizer files; the metric needs them.</param>
/// <param name="CaptionTemplate">CLIPScore's caption of an image: the class prompt, with {class} replaced by the class name.</param>
/// <param name="Bootstrap">Percentile-bootstrap resamples of the mean's interval (shared with the other metrics' <c>bootstrap</c>).</param>
public sealed record ClipMetricSettings(ClipPairSettings? Clip = null, string CaptionTemplate = ClipMetrics.CaptionTemplate, int Bootstrap = 1000) : ISettings
{
    public void Validate(string where)
    {
        Clip?.Validate($"{where}.clip");
        if (!CaptionTemplate.Contains("{class}", StringComparison.Ordinal))
            throw new SelectBenchException($"{where}.caption_template: '{CaptionTemplate}' is not allowed; it must contain {{class}}, e.g. '{ClipMetrics.CaptionTemplate}'.");
        if (Bootstrap < 10) throw new SelectBenchException($"{where}.bootstrap: {Bootstrap} is not allowed; give at least 10 resamples.");
    }
}

/// <summary>
/// The SELECT paper's CLIP image metrics of a shift (docs/metrics.md#clip-metrics), with any ONNX CLIP pair the
/// config names (<see cref="ClipPair"/>): CLIPScore (Hessel et al. 2021) of every image with its class caption,
/// and CLIP-IQA (Wang, Chan, Loy 2023) over the "Good photo." / "Bad photo." pair. A run config without
/// <c>evaluation.suite</c> adds the metric to the default suite when <c>evaluation.clip</c> is given.
/// </summary>
[Registered(Name, Description = "CLIPScore and CLIP-IQA of the shift's images with an ONNX CLIP pair (evaluation.clip)",
    Settings = typeof(ClipMetricSettings))]
public sealed class ClipMetric(ClipMetricSettings settings) : IEvalMetric
{
    public const string Name = "clip";
    public const string ClipScoreKey = "clip_score";
    public const string ClipIqaKey = "clip_iqa";

    public MetricDeclaration Declaration { get; } = new(MetricScope.Shift, MetricInputs.Shift, "CLIP image quality",
        [new MetricPanel("CLIPScore", [ClipScoreKey]), new MetricPanel("CLIP-IQA", [ClipIqaKey])],
        [ClipScoreKey, ClipIqaKey])
    {
        Order = 85,
        Headline = [ClipScoreKey, ClipIqaKey],
        RankAgreement = [ClipScoreKey, ClipIqaKey],
    };

    public MetricResult Compute(EvalInputs inputs, string folder, CancellationToken cancellationToken)
    {
        var pairSettings = settings.Clip ?? throw new SelectBenchException(
            $"Metric '{Name}' needs an ONNX CLIP pair: give evaluation.clip: {{ image, text, vocab, merges }} (docs/metrics.md#clip-metrics).");
        var shift = SuiteInputs.Shift(inputs, Name);
        using var pair = new ClipPair(pairSettings, "evaluation.clip");
        var images = SuiteInputs.Embed(inputs, pair.Image, shift, "the shift (CLIP image tower)");
        cancellationToken.ThrowIfCancellationRequested();
        var captions = pair.EncodeTexts(shift.LabelSet.Names.Select(n => ClipMetrics.Caption(n, settings.CaptionTemplate)).ToArray());
        var antonyms = pair.EncodeTexts(ClipMetrics.QualityPrompts);
        var boot = new BootstrapSettings(Resamples: settings.Bootstrap);
        var score = ClipMetrics.ClipScore(images, captions, shift.Labels, boot);
        var iqa = ClipMetrics.ClipIqa(images, antonyms, boot);
        Npy.Write(Path.Combine(folder, "clip_score_per_image.npy"), score.PerImage, score.PerImage.Length);
        Npy.Write(Path.Combine(folder, "clip_iqa_per_image.npy"), iqa.PerImage, iqa.PerImage.Length);
        return new MetricResult(new Dictionary<string, Interval> { [ClipScoreKey] = score.Mean, [ClipIqaKey] = iqa.Mean },
            new { image_tower = pair.Image.Name, caption_template = settings.CaptionTemplate, quality_prompts = ClipMetrics.QualityPrompts });
    }
}
