using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Models;
using static TorchSharp.torch;

namespace SelectBench.Tests.Encoders;

/// <summary><c>encoder: checkpoint:FILE.pth</c>: a torchvision-layout ResNet state dict as a fixed encoder (docs/encoders.md, "PyTorch weights").</summary>
public sealed class CheckpointEncoderPyTorchTests
{
    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "torchvision", file);

    [Fact]
    public void A_pth_state_dict_gives_the_networks_penultimate_features_on_imagenet_normalised_pixels()
    {
        var images = EncoderTestData.Shapes(5, 32, seed: 3, channels: 3);
        using var encoder = EncoderSpec.Resolve($"checkpoint:{Fixture("resnet50-narrow.pth")}", () => throw new InvalidOperationException("no fit set"));
        Assert.StartsWith("checkpoint:pth-bottleneck3-4-6-3-w0.03125:", encoder.Name);
        Assert.Equal(64, encoder.Dimension);
        var embeddings = encoder.Encode(images);

        // By hand: pixels / 255, ImageNet mean and std per channel, then the network's Features.
        using var scope = NewDisposeScope();
        var weights = TorchvisionWeights.Read(Fixture("resnet50-narrow.pth"));
        using var model = TorchvisionWeights.Build(weights, "fixture");
        var x = tensor(images.Pixels, dtype: ScalarType.Byte).view(5, 3, 32, 32).to(ScalarType.Float32).div_(SelectBench.Engine.Scalars.Byte255);
        x = (x - tensor(ImageNetStatistics.Mean).view(1, 3, 1, 1)) / tensor(ImageNetStatistics.Std).view(1, 3, 1, 1);
        using var _ = no_grad();
        var expected = model.Features(x).contiguous().data<float>().ToArray();
        Assert.Equal(expected.Length, embeddings.Count * embeddings.Dimension);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], embeddings.Data[i], 1e-5f);
    }

    [Fact]
    public void A_selectbench_checkpoint_is_not_taken_for_a_pth()
    {
        Assert.True(CheckpointEncoder.IsPyTorchFile(Fixture("resnet18-narrow.pth")));
        using var tmp = new SelectBench.Tests.Data.TempFolder();
        File.WriteAllText(tmp.File("x.ckpt"), "SELECTBENCH-CKPT");
        Assert.False(CheckpointEncoder.IsPyTorchFile(tmp.File("x.ckpt")));
    }
}
