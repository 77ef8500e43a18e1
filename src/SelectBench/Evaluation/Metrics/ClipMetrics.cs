using SelectBench.Common;
using SelectBench.Embedding;
using SelectBench.Statistics;

namespace SelectBench.Evaluation.Metrics;

/// <summary>A CLIP metric over a set: the mean of the per-image scores with a percentile-bootstrap interval, and the scores.</summary>
public sealed record ClipMetricResult(Interval Mean, double[] PerImage);

/// <summary>
/// The SELECT paper's CLIP metrics, from CLIP embeddings of images and prompts (any CLIP pair: the math only
/// needs the two sets of vectors in one space). Cosines are taken in double precision from the float embeddings;
/// a set's score is the mean over images, with a percentile bootstrap over images as its interval
/// (<see cref="Bootstrap"/>; the estimate is the plain mean).
/// <list type="bullet">
/// <item><b>CLIPScore</b> (Hessel et al. 2021, "CLIPScore: A Reference-free Evaluation Metric for Image
/// Captioning"): w * max(cos(image, caption), 0) per image, with w = 100 as torchmetrics'
/// <c>CLIPScore</c> uses it (torchmetrics/functional/multimodal/clip_score.py, <c>100 * cos</c>) and SELECT
/// reports it (its analytical/quality-metrics.py calls torchmetrics); Hessel et al. use w = 2.5. The caption is
/// the class prompt <see cref="CaptionTemplate"/>. torchmetrics clamps the batch mean, max(mean(100 cos), 0),
/// where Hessel et al. clamp each image; the two agree whenever no cosine is negative, as for a trained CLIP
/// and matching captions. We clamp each image, so that a set's score is a mean of per-image scores.</item>
/// <item><b>CLIP-IQA</b> (Wang, Chan and Loy 2023, "Exploring CLIP for Assessing the Look and Feel of Images";
/// official code github.com/IceClear/CLIP-IQA): the softmax over the logits s * cos(image, "Good photo.") and
/// s * cos(image, "Bad photo."), score = the probability of "Good photo.", with s = 100, CLIP's logit scale, as
/// torchmetrics' <c>CLIPImageQualityAssessment</c> computes it (torchmetrics/functional/multimodal/clip_iqa.py,
/// <c>_clip_iqa_compute</c>, prompts "quality").</item>
/// </list>
/// </summary>
public static class ClipMetrics
{
    /// <summary>CLIPScore's weight w (torchmetrics' and SELECT's 100).</summary>
    public const double ClipScoreWeight = 100;

    /// <summary>CLIP's trained logit scale: the cap of 100 Radford et al. (2021) put on it, which it reaches; CLIP-IQA's softmax uses it.</summary>
    public const double LogitScale = 100;

    /// <summary>The caption of an image of a class; the same prompt as class-query-search's text queries.</summary>
    public const string CaptionTemplate = "a photo of a {class}.";

    /// <summary>CLIP-IQA's antonym pair for overall quality: positive first, negative second.</summary>
    public static IReadOnlyList<string> QualityPrompts { get; } = ["Good photo.", "Bad photo."];

    /// <summary>The caption for one class: <paramref name="template"/> with {class} replaced by the class name.</summary>
    public static string Caption(string className, string template = CaptionTemplate) =>
        template.Contains("{class}", StringComparison.Ordinal)
            ? template.Replace("{class}", className, StringComparison.Ordinal)
            : throw new SelectBenchException($"caption template '{template}' is not allowed; it must contain {{class}}.");

    /// <summary>
    /// 100 * max(cos, 0) of every image with its caption: image i is compared with row
    /// <paramref name="captionOfImage"/>[i] of <paramref name="captions"/> (for class prompts: the image's label).
    /// </summary>
    public static double[] ClipScorePerImage(Embeddings images, Embeddings captions, IReadOnlyList<int> captionOfImage, double weight = ClipScoreWeight)
    {
        EmbeddingChecks.Validate(images, "CLIP image embeddings");
        EmbeddingChecks.Validate(captions, "CLIP caption embeddings");
        EmbeddingChecks.RequireSameDimension(images, captions, "CLIP image embeddings", "CLIP caption embeddings");
        if (captionOfImage.Count != images.Count)
            throw new BadInputException("CLIP captions", $"{captionOfImage.Count} caption indices for {images.Count} images; give one per image.");
        if (!(weight > 0) || double.IsInfinity(weight)) throw new ArgumentOutOfRangeException(nameof(weight), weight, "The CLIPScore weight must be positive and finite.");
        var captionNorms = Norms(captions, "CLIP caption embeddings");
        var scores = new double[images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            int c = captionOfImage[i];
            if (c < 0 || c >= captions.Count)
                throw new BadInputException("CLIP captions", $"image {i} asks for caption {c}, but there are {captions.Count} captions (0..{captions.Count - 1}).");
            double cos = Dot(images.Row(i), captions.Row(c)) / (Norm(images, i, "CLIP image embeddings") * captionNorms[c]);
            scores[i] = weight * Math.Max(cos, 0);
        }
        return scores;
    }

    /// <summary>CLIPScore of a set: the mean of <see cref="ClipScorePerImage"/> with a bootstrap interval.</summary>
    public static ClipMetricResult ClipScore(Embeddings images, Embeddings captions, IReadOnlyList<int> captionOfImage,
        BootstrapSettings? bootstrap = null, double weight = ClipScoreWeight)
    {
        var scores = ClipScorePerImage(images, captions, captionOfImage, weight);
        return new ClipMetricResult(MeanInterval(scores, bootstrap), scores);
    }

    /// <summary>
    /// softmax(s * [cos(image, positive), cos(image, negative)])[0] for every image; <paramref name="antonyms"/>
    /// holds two rows, the positive prompt's embedding then the negative's (<see cref="QualityPrompts"/>).
    /// </summary>
    public static double[] ClipIqaPerImage(Embeddings images, Embeddings antonyms, double logitScale = LogitScale)
    {
        EmbeddingChecks.Validate(images, "CLIP image embeddings");
        EmbeddingChecks.Validate(antonyms, "CLIP-IQA prompt embeddings");
        EmbeddingChecks.RequireSameDimension(images, antonyms, "CLIP image embeddings", "CLIP-IQA prompt embeddings");
        if (antonyms.Count != 2)
            throw new BadInputException("CLIP-IQA prompt embeddings", $"hold {antonyms.Count} prompts; give exactly two, the positive (\"{QualityPrompts[0]}\") then the negative (\"{QualityPrompts[1]}\").");
        if (!(logitScale > 0) || double.IsInfinity(logitScale)) throw new ArgumentOutOfRangeException(nameof(logitScale), logitScale, "The logit scale must be positive and finite.");
        var norms = Norms(antonyms, "CLIP-IQA prompt embeddings");
        var scores = new double[images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            double n = Norm(images, i, "CLIP image embeddings");
            double good = logitScale * Dot(images.Row(i), antonyms.Row(0)) / (n * norms[0]);
            double bad = logitScale * Dot(images.Row(i), antonyms.Row(1)) / (n * norms[1]);
            // The two-way softmax written as a logistic: exp(good) / (exp(good) + exp(bad)) without overflow.
            scores[i] = 1 / (1 + Math.Exp(bad - good));
        }
        return scores;
    }

    /// <summary>CLIP-IQA of a set: the mean of <see cref="ClipIqaPerImage"/> with a bootstrap interval.</summary>
    public static ClipMetricResult ClipIqa(Embeddings images, Embeddings antonyms, BootstrapSettings? bootstrap = null, double logitScale = LogitScale)
    {
        var scores = ClipIqaPerImage(images, antonyms, logitScale);
        return new ClipMetricResult(MeanInterval(scores, bootstrap), scores);
    }

    /// <summary>The mean of per-image scores with a percentile-bootstrap interval over images.</summary>
    public static Interval MeanInterval(double[] scores, BootstrapSettings? bootstrap = null)
    {
        if (scores.Length == 0) throw new BadInputException("CLIP scores", "there are no images to average; give at least one.");
        return Bootstrap.Percentile(scores.Length, indices =>
        {
            double sum = 0;
            foreach (int i in indices) sum += scores[i];
            return sum / indices.Length;
        }, bootstrap);
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++) sum += (double)a[j] * b[j];
        return sum;
    }

    private static double Norm(Embeddings e, int row, string name)
    {
        double norm = Embeddings.UnitScale(e.Row(row));
        return norm > 0 ? norm : throw new BadInputException($"{name} row {row}", "is all zeros and has no cosine similarity to anything.");
    }

    private static double[] Norms(Embeddings e, string name)
    {
        var norms = new double[e.Count];
        for (int i = 0; i < e.Count; i++) norms[i] = Norm(e, i, name);
        return norms;
    }
}
