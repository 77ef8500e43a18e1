using System.Collections;
using SelectBench.Common;
using SelectBench.Models;
using SelectBench.Tests.Data;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SelectBench.Tests.Models;

/// <summary>
/// PyTorch state dicts both ways, against the narrow torchvision ResNets of scripts/torchvision-fixture (Fixtures/torchvision:
/// weights saved by torchvision 0.14 with randomised batch-norm statistics, fixed inputs, and torchvision's eval-mode logits).
/// </summary>
public sealed class TorchvisionWeightsTests
{
    /// <summary>docs/encoders.md, "PyTorch weights": logits must agree with torchvision's within this.</summary>
    private const double Tolerance = 1e-5;

    /// <summary>The fixture's stem has 2 filters: width multiplier 2/64.</summary>
    private const double FixtureWidth = 2.0 / 64;

    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "torchvision", file);

    private static (Tensor Input, Tensor Logits) ReadIo(string path)
    {
        var io = TorchvisionWeights.Read(path);
        return (io["input"], io["logits"]);
    }

    private static double MaxAbsDifference(Tensor a, Tensor b)
    {
        using var d = (a - b).abs().max();
        return d.item<float>();
    }

    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    public void Torchvision_weights_give_torchvisions_logits(string name)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(name, 3, 10, FixtureWidth);
        TorchvisionWeights.LoadFile(model, Fixture($"{name}-narrow.pth"), includeHead: true);
        model.eval();
        var (input, expected) = ReadIo(Fixture($"{name}-narrow-io.pth"));
        using var _ = no_grad();
        var logits = model.forward(input);
        Assert.True(MaxAbsDifference(logits, expected) <= Tolerance, $"max |difference| {MaxAbsDifference(logits, expected)}");
    }

    [Theory]
    [InlineData("resnet18", false, new[] { 2, 2, 2, 2 })]
    [InlineData("resnet50", true, new[] { 3, 4, 6, 3 })]
    public void The_shape_is_read_from_the_keys_and_the_built_model_gives_the_same_logits(string name, bool bottleneck, int[] blocks)
    {
        using var scope = NewDisposeScope();
        var weights = TorchvisionWeights.Read(Fixture($"{name}-narrow.pth"));
        var shape = TorchvisionWeights.InferShape(weights, name);
        Assert.Equal(bottleneck, shape.Bottleneck);
        Assert.Equal(blocks, shape.Blocks);
        Assert.Equal(3, shape.Channels);
        Assert.Equal(FixtureWidth, shape.Width);
        Assert.Equal(10, shape.Classes);
        Assert.False(shape.SmallInputStem);
        using var model = TorchvisionWeights.Build(weights, name);
        var (input, expected) = ReadIo(Fixture($"{name}-narrow-io.pth"));
        using var _ = no_grad();
        Assert.True(MaxAbsDifference(model.forward(input), expected) <= Tolerance);
    }

    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    public void Our_names_map_one_to_one_onto_torchvisions(string name)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(name, 3, 10, FixtureWidth);
        var torchvisionKeys = TorchvisionWeights.Read(Fixture($"{name}-narrow.pth")).Keys.Order(StringComparer.Ordinal);
        var ours = model.state_dict().Keys.ToList();
        Assert.Equal(torchvisionKeys, ours.Select(TorchvisionWeights.ToTorchvision).Order(StringComparer.Ordinal));
        Assert.Equal(ours, ours.Select(k => TorchvisionWeights.FromTorchvision(TorchvisionWeights.ToTorchvision(k))));
        Assert.Equal("layer2.0.downsample.1.running_var", TorchvisionWeights.ToTorchvision("stages.layer2_0.downsample.bn.running_var"));
    }

    [Fact]
    public void A_backbone_without_fc_loads_as_a_fixed_encoder_and_its_features_match()
    {
        using var scope = NewDisposeScope();
        using var tmp = new TempFolder();
        // DINO's ResNet-50 checkpoint is the backbone alone, with DDP's "module." prefix in some releases.
        var weights = TorchvisionWeights.Read(Fixture("resnet50-narrow.pth"));
        var table = new Hashtable();
        foreach (var (k, v) in weights.Where(kv => !kv.Key.StartsWith("fc.", StringComparison.Ordinal))) table["module." + k] = v;
        var backbone = tmp.File("backbone.pth");
        using (var s = File.Create(backbone)) PyTorchPickler.PickleStateDict(s, table, leaveOpen: true);

        using var full = TorchvisionWeights.Build(weights, "full");
        using var encoder = TorchvisionWeights.Build(TorchvisionWeights.Read(backbone), backbone);
        Assert.Equal(0, TorchvisionWeights.InferShape(TorchvisionWeights.Read(backbone), backbone).Classes);
        var (input, _) = ReadIo(Fixture("resnet50-narrow-io.pth"));
        using var _ = no_grad();
        Assert.Equal(0.0, MaxAbsDifference(full.Features(input), encoder.Features(input)));
    }

    [Fact]
    public void Export_then_import_gives_the_same_tensors_and_logits()
    {
        using var scope = NewDisposeScope();
        using var tmp = new TempFolder();
        using var generator = new Generator(7, CPU);
        var exported = (ImageNetResNet)ModelZoo.Create("resnet50", 3, 5, FixtureWidth, generator);
        using var _e = exported;
        // Train one step so the batch-norm running statistics and num_batches_tracked move off their defaults.
        exported.train();
        using (no_grad()) exported.forward(randn(4, 3, 32, 32, generator: generator));
        var path = tmp.File("model.pth");
        TorchvisionWeights.Write(exported, path);

        using var imported = ModelZoo.Create("resnet50", 3, 5, FixtureWidth, new Generator(8, CPU));
        TorchvisionWeights.LoadFile(imported, path, includeHead: true);
        var a = exported.state_dict();
        foreach (var (name, tensor) in imported.state_dict())
            Assert.True(tensor.equal(a[name]).all().item<bool>(), name);
        Assert.Equal(1L, imported.state_dict()["bn1.num_batches_tracked"].item<long>());
        exported.eval();
        imported.eval();
        using var _ = no_grad();
        var x = randn(2, 3, 32, 32, generator: generator);
        Assert.Equal(0.0, MaxAbsDifference(exported.forward(x), imported.forward(x)));
    }

    [Fact]
    public void A_mismatch_names_the_missing_unexpected_and_mis_shaped_keys_and_copies_nothing()
    {
        using var scope = NewDisposeScope();
        var weights = TorchvisionWeights.Read(Fixture("resnet18-narrow.pth"));
        weights.Remove("layer1.0.bn1.running_mean");
        weights["layer5.0.conv1.weight"] = zeros(1);
        weights["fc.weight"] = zeros(3, 16);
        using var model = ModelZoo.Create("resnet18", 3, 10, FixtureWidth);
        using var before = model.state_dict()["conv1.weight"].clone();
        var e = Assert.Throws<BadInputException>(() => TorchvisionWeights.Load(model, weights, "w.pth"));
        Assert.Contains("missing keys: layer1.0.bn1.running_mean", e.Message);
        Assert.Contains("unexpected keys: layer5.0.conv1.weight", e.Message);
        Assert.Contains("mis-shaped: fc.weight [3, 16] (the model needs [10, 16])", e.Message);
        Assert.True(before.equal(model.state_dict()["conv1.weight"]).all().item<bool>());
    }

    [Fact]
    public void Without_the_head_a_different_class_count_loads()
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create("resnet18", 3, 4, FixtureWidth);
        TorchvisionWeights.LoadFile(model, Fixture("resnet18-narrow.pth"), includeHead: false);
        var weights = TorchvisionWeights.Read(Fixture("resnet18-narrow.pth"));
        Assert.True(model.state_dict()["stages.layer4_1.bn2.running_var"].equal(weights["layer4.1.bn2.running_var"]).all().item<bool>());
    }

    [Fact]
    public void A_file_that_is_not_a_state_dict_is_refused_with_what_to_do()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("model.pth");
        File.WriteAllBytes(path, [0x80, 0x02, 0x8a, 0x0a, 1, 2, 3]);
        var e = Assert.Throws<BadInputException>(() => TorchvisionWeights.Read(path));
        Assert.Contains("torch.save(model.state_dict(), path)", e.Message);
    }

    /// <summary>
    /// The full-size check of scripts/torchvision-fixture/run.sh: skipped unless SELECTBENCH_TORCHVISION_DIR names the
    /// folder where the script saved torchvision's resnet18/resnet50. Loads them, compares the logits, and writes our
    /// own random-weight models as NAME-export.pth with inputs and our logits for the script to load in torchvision.
    /// </summary>
    [SkippableTheory]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    public void Full_size_torchvision_models_both_ways(string name)
    {
        var folder = Environment.GetEnvironmentVariable("SELECTBENCH_TORCHVISION_DIR");
        Skip.If(string.IsNullOrEmpty(folder), "set SELECTBENCH_TORCHVISION_DIR (scripts/torchvision-fixture/run.sh)");
        using var scope = NewDisposeScope();
        using (var model = ModelZoo.Create(name, 3, 1000))
        {
            TorchvisionWeights.LoadFile(model, Path.Combine(folder, $"{name}.pth"), includeHead: true);
            model.eval();
            var (input, expected) = ReadIo(Path.Combine(folder, $"{name}-io.pth"));
            using var _ = no_grad();
            double diff = MaxAbsDifference(model.forward(input), expected);
            double scale = expected.abs().max().item<float>();
            File.WriteAllText(Path.Combine(folder, $"{name}-import.txt"), FormattableString.Invariant($"{diff:G3} {scale:G4}\n"));
            Assert.True(diff <= Tolerance * Math.Max(1, scale), $"{name}: max |difference| {diff}, max |logit| {scale}");
        }
        using var generator = new Generator(13, CPU);
        var ours = (ImageNetResNet)ModelZoo.Create(name, 3, 1000, generator: generator);
        using var _o = ours;
        ours.train();
        using (no_grad()) ours.forward(randn(2, 3, 64, 64, generator: generator));
        ours.eval();
        TorchvisionWeights.Write(ours, Path.Combine(folder, $"{name}-export.pth"));
        var x = randn(2, 3, 224, 224, generator: generator);
        using var __ = no_grad();
        var table = new Hashtable { ["input"] = x, ["logits"] = ours.forward(x) };
        using var s = File.Create(Path.Combine(folder, $"{name}-export-io.pth"));
        PyTorchPickler.PickleStateDict(s, table, leaveOpen: true);
    }
}
