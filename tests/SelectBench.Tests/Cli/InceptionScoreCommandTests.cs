using System.Text.Json.Nodes;
using SelectBench.Data;
using SelectBench.Evaluation;
using SelectBench.Evaluation.Suite;
using SelectBench.Tests.Training;
using SelectBench.Training;

namespace SelectBench.Tests.Cli;

/// <summary>
/// `analyse` and `evaluate --suite image-quality` report the Inception Score when given a reference classifier
/// (--classifier), and only then: image quality computes it from that classifier's softmax on the shift.
/// </summary>
public sealed class InceptionScoreCommandTests : IDisposable
{
    private readonly string _root = TinyData.TempFolder("is-command");

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void AnalyseAndEvaluateReportTheInceptionScoreOnlyWithAClassifier()
    {
        var shift = Save("shift", TinyData.Blocks(60, 1));
        var reference = Save("reference", TinyData.Blocks(60, 2));
        var data = Save("data", TinyData.Blocks(40, 3));
        var recipe = new TrainingRecipe(Model: "resnet20", Width: 0.25, Epochs: 1, BatchSize: 20, LearningRate: 0.05, WarmupEpochs: 0,
            Augmentation: new AugmentationSettings(Crop: "none", HorizontalFlip: false), Seed: 1, Threads: 1);
        var modelDir = Path.Combine(_root, "model");
        new Trainer(recipe, new TrainerOptions(ShowProgress: false)).Train(TinyData.Blocks(60, 4), null, null, modelDir);
        var checkpoint = Path.Combine(modelDir, Trainer.CheckpointFile);
        string[] common = ["--shift", shift, "--reference", reference, "--data", data, "--encoder", "pca:8"];

        var withIs = Path.Combine(_root, "analyse-is");
        Assert.Equal(0, CliHost.Run([.. new[] { "analyse" }, .. common, "--classifier", checkpoint, "--out", withIs]).Code);
        var score = Values(withIs)[ImageQualityMetric.InceptionScoreKey]!["estimate"]!.GetValue<double>();
        Assert.InRange(score, 1.0, 10.0); // between 1 and the number of classes

        var without = Path.Combine(_root, "analyse");
        Assert.Equal(0, CliHost.Run([.. new[] { "analyse" }, .. common, "--out", without]).Code);
        Assert.True(Values(without).ContainsKey(ImageQualityMetric.FidKey));
        Assert.False(Values(without).ContainsKey(ImageQualityMetric.InceptionScoreKey));

        var evaluated = Path.Combine(_root, "evaluate-is");
        Assert.Equal(0, CliHost.Run([.. new[] { "evaluate", "--suite", ImageQualityMetric.Name }, .. common, "--classifier", checkpoint, "--out", evaluated]).Code);
        Assert.Equal(score, Values(evaluated)[ImageQualityMetric.InceptionScoreKey]!["estimate"]!.GetValue<double>());

        var e = Assert.ThrowsAny<Exception>(() => CliHost.Run("analyse", "--shift", shift, "--classifier", checkpoint, "--out", without));
        Assert.Contains("give --reference too", e.Message);
    }

    private static JsonObject Values(string folder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")))!["values"]!.AsObject();

    private string Save(string name, ImageSet images)
    {
        var folder = Path.Combine(_root, name);
        ImageSetStore.Save(images, folder);
        return folder;
    }
}
