using SelectBench.Common;

namespace SelectBench.Worlds.FashionMnistPlus;

/// <summary>
/// How the reference models of the adversarially filtered hard set are trained (ResNet-20 from the model zoo,
/// a short run of the trainer on a class-balanced subset of E; one model per seed 0..Models-1).
/// </summary>
/// <param name="Models">Independently trained reference models (different seeds, same data).</param>
/// <param name="MinWrong">A test image is hard when at least this many models misclassify it.</param>
/// <param name="MinPerClass">Classes with fewer hard images are topped up with their hardest remaining test
/// images (lowest mean true-class probability over the models), so every class is represented.</param>
/// <param name="TrainImages">Class-balanced subset of E the models train on (all of E when larger).</param>
/// <param name="Epochs">Training epochs per model.</param>
/// <param name="Width">ResNet-20 width multiplier.</param>
/// <param name="BatchSize">SGD batch size. 128 keeps the quick profile in minutes; smaller batches give more steps
/// per epoch but cost far more per image on CPU (batch 32: 214 s per epoch of 5,000 images vs 75 s at batch 128, measured
/// on the shared machine), so the quick models stay weak (about 65% test top-1) and the quick hard set is large.</param>
public sealed record ReferenceModelSettings(
    int Models = 3, int MinWrong = 2, int MinPerClass = 10, int TrainImages = 5000, int Epochs = 2, double Width = 0.5,
    int BatchSize = 128);

/// <summary>
/// Everything that decides the content of a FashionMNIST++ world (docs/world.md). <see cref="ForProfile"/>
/// gives the three named profiles; world.json records the settings used, and a folder built with other
/// settings is refused rather than mixed.
/// </summary>
/// <param name="Profile">tiny (CI and tests, seconds), quick (full partition, a few minutes) or standard.</param>
/// <param name="Seed">Seeds the partition, distractors, crowd, generator, reference models and transfer tasks.</param>
/// <param name="TrainImages">Class-balanced subset of the 60,000 train images to partition (null = all).
/// E/G/W/H keep the world's proportions (docs/world.md) 20:10:25:5 at any size.</param>
/// <param name="TestImages">Class-balanced subset of the 10,000 test images used as the base eval set (null = all).</param>
/// <param name="DistractorFraction">Glyph distractors added to W, as a fraction of W's real images.</param>
/// <param name="CrowdImages">Images the simulated crowd draws (long-tailed) from W's real images.</param>
/// <param name="GeneratorEpochs">Training epochs of the conditional VAE on G.</param>
/// <param name="Reference">Reference models of the hard set.</param>
/// <param name="TransferTrainImages">Coarse-categories and rotation tasks: class-balanced train images from E.</param>
/// <param name="TransferTestImages">Those tasks' test images: a class-balanced subset of the test set.</param>
/// <param name="GlyphTrainPerClass">Glyph-letters task: train images per letter.</param>
/// <param name="GlyphTestPerClass">Glyph-letters task: test images per letter.</param>
public sealed record FashionMnistPlusSettings(
    string Profile = "quick",
    long Seed = 0,
    int? TrainImages = null,
    int? TestImages = null,
    double DistractorFraction = 0.2,
    int CrowdImages = 5000,
    int GeneratorEpochs = 3,
    ReferenceModelSettings? Reference = null,
    int TransferTrainImages = 2000,
    int TransferTestImages = 2000,
    int GlyphTrainPerClass = 200,
    int GlyphTestPerClass = 100)
{
    public ReferenceModelSettings Reference { get; init; } = Reference ?? new ReferenceModelSettings();

    public static IReadOnlyList<string> Profiles { get; } = ["tiny", "quick", "standard"];

    /// <summary>
    /// tiny: 1,200 train images (E 400, G 200, W 500, H 100), 500 test images, one generator epoch, ResNet-20
    /// x0.25 for one epoch: seconds, for CI. quick: the full partition, 3 generator epochs, ResNet-20 x0.5 for
    /// 2 epochs on 5,000 E images: a few minutes on 2 cores. standard: 15 generator epochs (the generator's
    /// default), ResNet-20 x1 for 5 epochs on 10,000 E images, a larger crowd (enough labelled images for N = 6000).
    /// </summary>
    public static FashionMnistPlusSettings ForProfile(string profile, long seed = 0) => profile switch
    {
        "tiny" => new FashionMnistPlusSettings("tiny", seed, TrainImages: 1200, TestImages: 500, CrowdImages: 300,
            GeneratorEpochs: 1, Reference: new ReferenceModelSettings(MinPerClass: 2, TrainImages: 400, Epochs: 1, Width: 0.25),
            TransferTrainImages: 100, TransferTestImages: 100, GlyphTrainPerClass: 5, GlyphTestPerClass: 3),
        "quick" => new FashionMnistPlusSettings("quick", seed),
        "standard" => new FashionMnistPlusSettings("standard", seed, CrowdImages: 10_000, GeneratorEpochs: 15,
            Reference: new ReferenceModelSettings(TrainImages: 10_000, Epochs: 5, Width: 1.0),
            TransferTrainImages: 5000, TransferTestImages: 10_000, GlyphTrainPerClass: 500, GlyphTestPerClass: 200),
        _ => throw new BadInputException("--profile", $"'{profile}' is not a world profile; use one of {string.Join(", ", Profiles)}."),
    };

    public void Validate()
    {
        if (TrainImages is { } t && t < 40)
            throw new SelectBenchException($"world.train_images: {t} is too small; use at least 40 (4 per class) or leave it unset for all 60,000.");
        if (TestImages is { } s && s < 10)
            throw new SelectBenchException($"world.test_images: {s} is too small; use at least 10 or leave it unset for all 10,000.");
        if (!(DistractorFraction >= 0 && DistractorFraction <= 10))
            throw new SelectBenchException($"world.distractor_fraction: {DistractorFraction} is not allowed; use a number in [0, 10].");
        if (CrowdImages < 1) throw new SelectBenchException($"world.crowd_images: {CrowdImages}; use 1 or more.");
        if (GeneratorEpochs < 1) throw new SelectBenchException($"world.generator_epochs: {GeneratorEpochs}; use 1 or more.");
        var r = Reference;
        if (r.Models < 1) throw new SelectBenchException($"world.reference.models: {r.Models}; use 1 or more.");
        if (r.MinWrong < 1 || r.MinWrong > r.Models)
            throw new SelectBenchException($"world.reference.min_wrong: {r.MinWrong}; use 1..{r.Models} (the number of models).");
        if (r.MinPerClass < 0) throw new SelectBenchException($"world.reference.min_per_class: {r.MinPerClass}; use 0 or more.");
        if (r.TrainImages < 10) throw new SelectBenchException($"world.reference.train_images: {r.TrainImages}; use 10 or more.");
        if (r.BatchSize < 2) throw new SelectBenchException($"world.reference.batch_size: {r.BatchSize}; use 2 or more.");
        if (r.Epochs < 1) throw new SelectBenchException($"world.reference.epochs: {r.Epochs}; use 1 or more.");
        if (!(r.Width > 0 && double.IsFinite(r.Width))) throw new SelectBenchException($"world.reference.width: {r.Width}; use a positive finite multiplier.");
        if (TransferTrainImages < 10 || TransferTestImages < 10)
            throw new SelectBenchException($"world.transfer_train_images/transfer_test_images: {TransferTrainImages}/{TransferTestImages}; use 10 or more.");
        if (GlyphTrainPerClass < 1 || GlyphTestPerClass < 1)
            throw new SelectBenchException($"world.glyph_train_per_class/glyph_test_per_class: {GlyphTrainPerClass}/{GlyphTestPerClass}; use 1 or more.");
    }
}
