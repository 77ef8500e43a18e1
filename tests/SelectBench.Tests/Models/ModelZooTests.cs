using SelectBench.Common;
using SelectBench.Models;
using static TorchSharp.torch;

namespace SelectBench.Tests.Models;

public sealed class ModelZooTests
{
    [Theory]
    [InlineData("resnet20", 1, 10, 28, 64)]
    [InlineData("resnet20", 3, 7, 16, 64)]
    [InlineData("resnet32", 1, 5, 8, 64)]
    [InlineData("resnet56", 2, 3, 8, 64)]
    [InlineData("resnet18", 3, 10, 32, 512)]
    [InlineData("resnet18", 1, 4, 16, 512)]
    public void Logits_and_features_have_the_expected_shapes(string name, int channels, int classes, int size, int featureDim)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(name, channels, classes);
        model.eval();
        var x = randn(2, channels, size, size);
        var logits = model.forward(x);
        var features = model.Features(x);
        Assert.Equal(new long[] { 2, classes }, logits.shape);
        Assert.Equal(new long[] { 2, featureDim }, features.shape);
        Assert.Equal(featureDim, model.FeatureDimension);
        Assert.Equal(classes, model.Classes);
    }

    [Fact]
    public void ResNet50_forward_at_32x32_gives_2048_features()
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create("resnet50", 3, 10, width: 0.25);
        model.eval();
        var x = randn(1, 3, 32, 32);
        Assert.Equal(new long[] { 1, 10 }, model.forward(x).shape);
        // Width 0.25 scales the 512 base filters of the last stage to 128, times the bottleneck expansion 4.
        Assert.Equal(512, model.FeatureDimension);
        using var full = ModelZoo.Create("resnet50", 3, 10);
        Assert.Equal(2048, full.FeatureDimension);
    }

    [Theory]
    // He et al. 2016, Table 6: ResNet-20 0.27M, ResNet-32 0.46M, ResNet-56 0.85M parameters (option A).
    [InlineData("resnet20", 10, 0.27)]
    [InlineData("resnet32", 10, 0.46)]
    [InlineData("resnet56", 10, 0.85)]
    // torchvision: resnet18 11,689,512 and resnet50 25,557,032 parameters with 3 channels and 1000 classes.
    [InlineData("resnet18", 1000, 11.689512)]
    [InlineData("resnet50", 1000, 25.557032)]
    public void Parameter_counts_match_the_paper_and_torchvision(string name, int classes, double millions)
    {
        using var model = ModelZoo.Create(name, 3, classes);
        long count = model.parameters().Sum(p => p.numel());
        // The paper rounds to two digits; torchvision's counts are exact.
        double tolerance = millions > 10 ? 1e-6 : 0.02 * millions;
        Assert.InRange(count / 1e6, millions - tolerance, millions + tolerance);
    }

    [Fact]
    public void Width_multiplier_scales_the_stages()
    {
        using var model = ModelZoo.Create("resnet20", 1, 10, width: 0.5);
        Assert.Equal(32, model.FeatureDimension);
    }

    [Fact]
    public void ReplaceHead_keeps_features_and_changes_the_class_count()
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create("resnet20", 1, 10, generator: new Generator(1, CPU));
        model.eval();
        var x = randn(3, 1, 12, 12);
        var before = model.Features(x);
        model.ReplaceHead(4, new Generator(2, CPU));
        Assert.Equal(4, model.Classes);
        Assert.Equal(new long[] { 3, 4 }, model.forward(x).shape);
        Assert.True(before.Same(model.Features(x)));
        // The new head is registered: it appears among the trainable parameters.
        Assert.Contains(model.named_parameters(), p => p.name == "fc.weight" && p.parameter.shape[0] == 4);
    }

    [Fact]
    public void Same_generator_seed_gives_same_initial_weights()
    {
        using var a = ModelZoo.Create("resnet20", 1, 10, generator: new Generator(7, CPU));
        using var b = ModelZoo.Create("resnet20", 1, 10, generator: new Generator(7, CPU));
        using var c = ModelZoo.Create("resnet20", 1, 10, generator: new Generator(8, CPU));
        var pa = a.parameters().ToArray();
        var pb = b.parameters().ToArray();
        var pc = c.parameters().ToArray();
        Assert.All(Enumerable.Range(0, pa.Length), i => Assert.True(pa[i].Same(pb[i])));
        Assert.Contains(Enumerable.Range(0, pa.Length), i => !pa[i].Same(pc[i]));
    }

    [Fact]
    public void Unknown_model_names_the_known_ones()
    {
        var e = Assert.Throws<SelectBenchException>(() => ModelZoo.Create("resnet99", 1, 10));
        Assert.Contains("resnet20", e.Message);
    }
}
