using SelectBench.Common;
using SelectBench.Models;
using SelectBench.Tests.Data;
using SelectBench.Tests.Encoders;
using SelectBench.Training;
using static TorchSharp.torch;

namespace SelectBench.Tests.Models;

/// <summary>The recipe's <c>init: FILE.pth</c>: training starts from PyTorch weights (docs/encoders.md, "PyTorch weights").</summary>
public sealed class TorchvisionInitTests
{
    private const double FixtureWidth = 2.0 / 64;

    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "torchvision", file);

    private static double MaxAbsDifference(Tensor a, Tensor b)
    {
        using var d = (a - b).abs().max();
        return d.item<float>();
    }

    [Fact]
    public void The_head_is_taken_when_it_has_the_models_classes_and_left_fresh_otherwise()
    {
        using var scope = NewDisposeScope();
        var weights = TorchvisionWeights.Read(Fixture("resnet18-narrow.pth"));
        using var same = ModelZoo.Create("resnet18", 3, 10, FixtureWidth);
        TorchvisionWeights.Initialise(same, Fixture("resnet18-narrow.pth"));
        Assert.Equal(0.0, MaxAbsDifference(same.state_dict()["fc.weight"], weights["fc.weight"]));

        using var other = ModelZoo.Create("resnet18", 3, 4, FixtureWidth, new Generator(1, CPU));
        using var freshHead = other.state_dict()["fc.weight"].clone();
        TorchvisionWeights.Initialise(other, Fixture("resnet18-narrow.pth"));
        Assert.Equal(0.0, MaxAbsDifference(other.state_dict()["fc.weight"], freshHead));
        Assert.Equal(0.0, MaxAbsDifference(other.state_dict()["conv1.weight"], weights["conv1.weight"]));
    }

    [Fact]
    public void A_cifar_resnet_or_a_different_width_is_refused_naming_the_problem()
    {
        using var cifar = ModelZoo.Create("resnet20", 3, 10);
        Assert.Contains("torchvision-layout ResNet", Assert.Throws<BadInputException>(() => TorchvisionWeights.Initialise(cifar, Fixture("resnet18-narrow.pth"))).Message);
        using var wider = ModelZoo.Create("resnet18", 3, 10, 4.0 / 64);
        var e = Assert.Throws<BadInputException>(() => TorchvisionWeights.Initialise(wider, Fixture("resnet18-narrow.pth")));
        Assert.Contains("mis-shaped: conv1.weight [2, 3, 7, 7] (the model needs [4, 3, 7, 7])", e.Message);
    }

    [Fact]
    public void The_recipe_checks_the_init_path_and_the_model()
    {
        using var tmp = new TempFolder();
        var pth = Fixture("resnet18-narrow.pth");
        Assert.Contains("'init'", Assert.Throws<SelectBenchException>(() => new TrainingRecipe(Model: "resnet18", Init: tmp.File("none.pth")).Validate()).Message);
        Assert.Contains("file not found", Assert.Throws<SelectBenchException>(() => new TrainingRecipe(Model: "resnet18", Init: tmp.File("none.pth")).Validate()).Message);
        Assert.Contains(".pth or .pt", Assert.Throws<SelectBenchException>(() => new TrainingRecipe(Model: "resnet18", Init: tmp.File("w.ckpt")).Validate()).Message);
        Assert.Contains("needs model resnet18 or resnet50", Assert.Throws<SelectBenchException>(() => new TrainingRecipe(Model: "resnet20", Init: pth).Validate()).Message);
        new TrainingRecipe(Model: "resnet50", Init: pth).Validate();
        // Without init the recipe's JSON, and so its hash and every job key, is what it was.
        Assert.False(new TrainingRecipe().IdentityJson().ContainsKey("init"));
        Assert.NotEqual(new TrainingRecipe(Model: "resnet18").Hash(), new TrainingRecipe(Model: "resnet18", Init: pth).Hash());
    }

    [Fact]
    public void Training_with_init_starts_from_the_file()
    {
        using var tmp = new TempFolder();
        var train = EncoderTestData.Shapes(12, 32, seed: 1, channels: 3);
        var pth = Fixture("resnet18-narrow.pth");
        // A learning rate so small that one step leaves the weights where they started.
        var recipe = new TrainingRecipe(Model: "resnet18", Width: FixtureWidth, Epochs: 1, BatchSize: 12, LearningRate: 1e-9, WeightDecay: 0,
            WarmupEpochs: 0, Threads: 1, Init: pth, Augmentation: new AugmentationSettings(Crop: "none", HorizontalFlip: false));
        var result = new Trainer(recipe, new TrainerOptions(ShowProgress: false)).Train(train, null, null, tmp.File("run"));
        var (_, model) = TrainingCheckpoint.LoadModel(result.CheckpointPath);
        using var _m = model;
        using var scope = NewDisposeScope();
        var weights = TorchvisionWeights.Read(pth);
        Assert.True(MaxAbsDifference(model.state_dict()["stages.layer3_1.conv2.weight"], weights["layer3.1.conv2.weight"]) < 1e-6);
        Assert.True(MaxAbsDifference(model.state_dict()["fc.weight"], weights["fc.weight"]) < 1e-6);
    }
}
