using System.Text.Json;
using SelectBench.Common;
using SelectBench.Models;
using SelectBench.Tests.Data;
using SelectBench.Tests.Training;
using SelectBench.Training;
using static TorchSharp.torch;

namespace SelectBench.Tests.Cli;

/// <summary><c>selectbench export --format pt</c> (docs/encoders.md, "PyTorch weights").</summary>
public sealed class ExportCommandTests
{
    [Fact]
    public void A_trained_resnet18_exports_to_a_pth_that_loads_back_with_the_same_logits_and_a_json_of_its_preprocessing()
    {
        using var tmp = new TempFolder();
        var train = TinyData.Blocks(20, 1, size: 16);
        var recipe = new TrainingRecipe(Model: "resnet18", Width: 0.0625, Epochs: 1, BatchSize: 10, WarmupEpochs: 0, Threads: 1);
        var result = new Trainer(recipe, new TrainerOptions(ShowProgress: false)).Train(train, null, null, tmp.File("run"));
        var pth = tmp.File("out/model.pth");

        var (code, _) = CliHost.Run("export", result.CheckpointPath, "--format", "pt", "--out", pth);

        Assert.Equal(0, code);
        var (meta, trained) = TrainingCheckpoint.LoadModel(result.CheckpointPath);
        using var _t = trained;
        using var imported = ModelZoo.Create("resnet18", meta.Model.Channels, meta.Model.Classes, 0.0625);
        TorchvisionWeights.LoadFile(imported, pth, includeHead: true);
        trained.eval();
        imported.eval();
        using var scope = NewDisposeScope();
        using var __ = no_grad();
        var x = randn(3, meta.Model.Channels, 16, 16, generator: new Generator(1, CPU));
        Assert.True(trained.forward(x).equal(imported.forward(x)).all().item<bool>());
        using var json = JsonDocument.Parse(File.ReadAllText(tmp.File("out/model.json")));
        Assert.StartsWith($"torchvision.models.resnet18(num_classes={meta.Model.Classes})", json.RootElement.GetProperty("torchvision").GetString());
        Assert.Equal(meta.Normalization.Mean[0], json.RootElement.GetProperty("mean")[0].GetSingle());
        Assert.Equal(16, json.RootElement.GetProperty("height").GetInt32());
    }

    [Fact]
    public void A_cifar_resnet_is_refused_with_what_to_train_instead()
    {
        using var tmp = new TempFolder();
        var train = TinyData.Blocks(20, 1, size: 8);
        var recipe = new TrainingRecipe(Width: 0.25, Epochs: 1, BatchSize: 10, WarmupEpochs: 0, Threads: 1);
        var result = new Trainer(recipe, new TrainerOptions(ShowProgress: false)).Train(train, null, null, tmp.File("run"));
        var e = Assert.Throws<BadInputException>(() => CliHost.Run("export", result.CheckpointPath, "--out", tmp.File("m.pth")));
        Assert.Contains("train a resnet18 or resnet50", e.Message);
        Assert.False(File.Exists(tmp.File("m.pth")));
    }

    [Fact]
    public void An_unknown_format_is_refused()
    {
        var e = Assert.ThrowsAny<Exception>(() => CliHost.Run("export", "x.ckpt", "--format", "onnx", "--out", "m.onnx"));
        Assert.Contains("--format 'onnx' is not supported: use pt", e.Message);
    }
}
