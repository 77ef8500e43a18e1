using SelectBench.Common;
using SelectBench.Training;

namespace SelectBench.Tests.Training;

public sealed class TrainingRecipeTests
{
    [Theory]
    [InlineData("epochs")]
    [InlineData("momentum")]
    [InlineData("device")]
    [InlineData("augmentation.crop")]
    public void Validation_names_the_field(string field)
    {
        var bad = field switch
        {
            "epochs" => TrainingRecipe.Default with { Epochs = 0 },
            "momentum" => TrainingRecipe.Default with { Momentum = 1.5 },
            "device" => TrainingRecipe.Default with { Device = "tpu" },
            _ => TrainingRecipe.Default with { Augmentation = new AugmentationSettings(Crop: "diagonal") },
        };
        var e = Assert.Throws<SelectBenchException>(() => bad.Validate());
        Assert.Contains($"'{field}'", e.Message);
    }

    [Fact]
    public void Hash_ignores_device_and_threads_but_not_the_learning_rate()
    {
        var r = TrainingRecipe.Quick;
        Assert.Equal(r.Hash(), (r with { Threads = 2, Device = "cuda" }).Hash());
        Assert.NotEqual(r.Hash(), (r with { LearningRate = 0.2 }).Hash());
        var diffs = TrainingRecipe.Differences(r.IdentityJson(), (r with { Epochs = 3 }).IdentityJson());
        Assert.Equal(["epochs: 15 -> 3"], diffs);
    }

    [Fact]
    public void Yaml_and_json_files_override_defaults_and_reject_unknown_fields()
    {
        var dir = Directory.CreateTempSubdirectory("sb-recipe").FullName;
        var yaml = Path.Combine(dir, "r.yaml");
        File.WriteAllText(yaml, "epochs: 4\nlearning_rate: 0.02\naugmentation:\n  crop: none\n");
        var r = TrainingRecipe.Load(yaml);
        Assert.Equal(4, r.Epochs);
        Assert.Equal(0.02, r.LearningRate);
        Assert.Equal("none", r.Augmentation.Crop);
        Assert.True(r.Augmentation.HorizontalFlip);
        Assert.Equal(TrainingRecipe.Default.BatchSize, r.BatchSize);

        var json = Path.Combine(dir, "r.json");
        File.WriteAllText(json, "{\"epochs\": 2, \"learnig_rate\": 0.1}");
        var e = Assert.Throws<SelectBenchException>(() => TrainingRecipe.Load(json));
        Assert.Contains("learnig_rate", e.Message);
    }
}
