using SelectBench.Models;
using static TorchSharp.torch;

namespace SelectBench.Tests.Models;

/// <summary>The channels-last layout the trainer uses on CUDA (docs/benchmark.md, "On a GPU"): strides change, values do not.</summary>
public sealed class CudaLayoutTests
{
    [Fact]
    public void Channels_last_keeps_shape_and_values_with_nhwc_strides()
    {
        using var scope = NewDisposeScope();
        var x = arange(2 * 3 * 4 * 5, dtype: ScalarType.Float32).view(2, 3, 4, 5);
        Assert.False(CudaLayout.IsChannelsLast(x));
        var y = CudaLayout.ChannelsLast(x);
        Assert.Equal(x.shape, y.shape);
        Assert.Equal(new long[] { 60, 1, 15, 3 }, y.stride());
        Assert.True(CudaLayout.IsChannelsLast(y));
        Assert.True(x.equal(y).all().item<bool>());
    }

    [Fact]
    public void A_model_switched_to_channels_last_keeps_its_parameters_and_its_logits()
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create("resnet18", 3, 5, 4.0 / 64, new Generator(3, CPU));
        model.eval();
        var x = randn(2, 3, 32, 32, generator: new Generator(4, CPU));
        Tensor before;
        using (no_grad()) before = model.forward(x);
        var conv1 = model.parameters().First();
        CudaLayout.UseChannelsLast(model);
        Assert.Same(conv1, model.parameters().First());
        Assert.True(CudaLayout.IsChannelsLast(conv1));
        using var _ = no_grad();
        var after = model.forward(CudaLayout.ChannelsLast(x));
        using var d = (after - before).abs().max();
        Assert.True(d.item<float>() < 1e-5);
    }

    [Fact]
    public void On_the_cpu_to_device_is_the_batch_itself_not_a_copy()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 3);
        var y = CudaLayout.ToDevice(x, CPU);
        y[0, 0] = tensor(42f);
        Assert.Equal(42f, x[0, 0].item<float>());
    }
}
