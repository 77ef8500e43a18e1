using SelectBench.Cli;
using SelectBench.Cli.Commands;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Evaluation.Classifiers;
using SelectBench.Evaluation.Suite;
using SelectBench.Tests.Training;
using SelectBench.Training;
using Spectre.Console.Cli;

namespace SelectBench.Tests.Evaluation.Classifiers;

public sealed class ClassifierInputTests
{
    /// <summary>A checkpoint trained on 3x8x8 colour images, shared by the tests (training it takes a second).</summary>
    private static readonly Lazy<string> ColourCheckpoint = new(() =>
    {
        var recipe = new TrainingRecipe(Width: 0.25, Epochs: 1, BatchSize: 10, WarmupEpochs: 0, Threads: 1,
            Augmentation: new AugmentationSettings(Crop: "none", HorizontalFlip: false));
        return new Trainer(recipe, new TrainerOptions(ShowProgress: false))
            .Train(Colour(TinyData.Blocks(20, 1, size: 8)), null, null, TinyData.TempFolder("colour-ckpt")).CheckpointPath;
    });

    private static ImageSet Colour(ImageSet grey)
    {
        var pixels = new byte[grey.Count * 3 * grey.Height * grey.Width];
        for (int i = 0; i < grey.Count; i++)
            for (int c = 0; c < 3; c++)
                grey.Image(i).CopyTo(pixels.AsSpan((i * 3 + c) * grey.ImageSize));
        return new ImageSet(pixels, grey.Labels, grey.LabelSet, 3, grey.Height, grey.Width);
    }

    [Fact]
    public void GreyImagesForAColourCheckpointAreRefusedNamingTheSetAndTheModel()
    {
        using var classifier = TorchSharpClassifier.Load(ColourCheckpoint.Value);
        var e = Assert.Throws<SelectBenchException>(() =>
            ClassifierInput.Check(classifier, TinyData.Blocks(10, 2, size: 4), "eval set 'digits.idx'"));
        Assert.Contains("eval set 'digits.idx'", e.Message);
        Assert.Contains(classifier.Name, e.Message);
        Assert.Contains("the images are 1x4x4 (grey)", e.Message);
        Assert.Contains("takes 3x8x8 (colour)", e.Message);
        Assert.Contains("Evaluate it on colour data", e.Message);
    }

    [Fact]
    public void ASizeDifferenceIsAllowedAndDescribed()
    {
        using var classifier = TorchSharpClassifier.Load(ColourCheckpoint.Value);
        Assert.Null(ClassifierInput.Check(classifier, Colour(TinyData.Blocks(10, 2, size: 8)), "test"));
        Assert.Equal($"test: images are resized from 4x4 to 8x8 (bilinear) for {classifier.Name}.",
            ClassifierInput.Check(classifier, Colour(TinyData.Blocks(10, 2, size: 4)), "test"));
        Assert.Contains("from 16x16 to 8x8 (bilinear, antialiased)", ClassifierInput.Check(classifier, Colour(TinyData.Blocks(10, 2, size: 16)), "test"));
    }

    [Fact]
    public void TheSuiteRefusesAMismatchedSetBeforeAnyMetricRuns()
    {
        using var classifier = TorchSharpClassifier.Load(ColourCheckpoint.Value);
        var dir = TinyData.TempFolder("mismatch-suite");
        var grey = TinyData.Blocks(10, 2, size: 8);
        var e = Assert.Throws<SelectBenchException>(() => EvalSuite.Run(["base"],
            new EvalInputs { LabelSet = grey.LabelSet, Classifier = classifier, BaseSet = grey }, dir));
        Assert.Contains("base set", e.Message);
        Assert.False(File.Exists(Path.Combine(dir, "base", "result.json")));

        var notes = new List<string>();
        var small = Colour(TinyData.Blocks(10, 2, size: 4));
        EvalSuite.Run(["natural"], new EvalInputs
        {
            LabelSet = grey.LabelSet,
            Classifier = classifier,
            BaseSet = Colour(grey),
            NaturalSets = [new NaturalEvalSet("small", small)],
        }, TinyData.TempFolder("resize-suite"), onNote: notes.Add);
        Assert.Equal([$"natural set 'small': images are resized from 4x4 to 8x8 (bilinear) for {classifier.Name}."], notes);
    }

    [Fact]
    public void TheEvalCommandRefusesGreyDataForAColourCheckpoint()
    {
        ProgressBar.Enabled = false;
        var root = TinyData.TempFolder("mismatch-cli");
        var data = Path.Combine(root, "grey");
        ImageSetStore.Save(TinyData.Blocks(10, 2, size: 8), data);
        var app = new CommandApp();
        app.Configure(c =>
        {
            c.PropagateExceptions();
            CommandRegistry.Register(c, typeof(EvaluateCommand).Assembly);
        });
        var e = Assert.Throws<SelectBenchException>(() =>
            app.Run(["eval", "--model", ColourCheckpoint.Value, "--data", data, "--out", Path.Combine(root, "eval")]));
        Assert.Contains("takes 3x8x8 (colour)", e.Message);
        Assert.False(File.Exists(Path.Combine(root, "eval", "metrics.json")));
    }

    [Fact]
    public void AnOnnxModelConvertsChannelsOnlyWhenConfiguredTo()
    {
        var path = Path.Combine(TinyData.TempFolder("onnx-channels"), "grey.onnx");
        File.WriteAllBytes(path, OnnxLinearModel.Build(new float[12], new float[3], inputs: 4, classes: 3, channels: 1, side: 2, softmax: true));
        var colour = Colour(TinyData.Blocks(6, 2, size: 4));
        using (var strict = new OnnxClassifier(path, LabelSet.Numbered(3)))
        {
            var e = Assert.Throws<SelectBenchException>(() => ClassifierInput.Check(strict, colour, "colour set"));
            Assert.Contains("takes 1x2x2 (grey)", e.Message);
            Assert.Contains("ConvertChannels", e.Message);
        }
        using var converting = new OnnxClassifier(path, LabelSet.Numbered(3), new OnnxClassifierOptions(ConvertChannels: true));
        Assert.Equal("colour set: colour is averaged to grey (3 channels to 1); images are resized from 4x4 to 2x2 (bilinear, antialiased) for onnx:grey.onnx.",
            ClassifierInput.Check(converting, colour, "colour set"));
    }
}
