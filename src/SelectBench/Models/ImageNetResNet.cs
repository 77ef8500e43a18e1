using SelectBench.Engine;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SelectBench.Models;

/// <summary>
/// The ImageNet ResNets of He et al. 2016, Table 1, in torchvision's layout (torchvision/models/resnet.py,
/// "ResNet v1.5": the stride of a bottleneck sits on its 3x3 convolution). conv1 7x7/2 with 64 filters,
/// 3x3/2 max pool, then stages conv2_x..conv5_x on 64/128/256/512 base filters with [2,2,2,2] basic blocks
/// (ResNet-18) or [3,4,6,3] bottlenecks of expansion 4 (ResNet-50), global average pooling, a fully
/// connected layer. Shortcuts are option B (1x1 projection + batch norm where the shape changes), as in
/// the paper's ImageNet models and torchvision.
///
/// <paramref name="smallInputStem"/> swaps conv1 + max pool for one 3x3/1 convolution, the usual stem
/// adaptation for 32x32-64x64 inputs; off by default, so the zoo's "resnet18"/"resnet50" match torchvision.
/// </summary>
public sealed class ImageNetResNet : ClassifierNet
{
    private readonly Conv2d conv1;
    private readonly ScalarSafeBatchNorm2d bn1;
    private readonly bool maxPool;
    private readonly Sequential stages;
    private Linear fc;
    private readonly int featureDimension;

    public ImageNetResNet(bool bottleneck, int[] blocks, int inChannels, int classes, double width = 1.0,
                          bool smallInputStem = false, Generator? generator = null)
        : base(bottleneck ? "ImageNetResNetBottleneck" : "ImageNetResNetBasic")
    {
        if (blocks.Length != 4 || blocks.Any(b => b < 1)) throw new ArgumentException("need four stages of at least one block", nameof(blocks));
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels));
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes));
        if (!(width > 0)) throw new ArgumentOutOfRangeException(nameof(width), "width multiplier must be positive");
        int stemWidth = WeightInit.Scaled(64, width);
        conv1 = smallInputStem
            ? Conv2d(inChannels, stemWidth, 3, stride: 1, padding: 1, bias: false)
            : Conv2d(inChannels, stemWidth, 7, stride: 2, padding: 3, bias: false);
        bn1 = new ScalarSafeBatchNorm2d(stemWidth);
        maxPool = !smallInputStem;
        int expansion = bottleneck ? 4 : 1;
        int channels = stemWidth;
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        int[] baseFilters = [64, 128, 256, 512];
        for (int s = 0; s < 4; s++)
        {
            int planes = WeightInit.Scaled(baseFilters[s], width);
            for (int b = 0; b < blocks[s]; b++)
            {
                int stride = s > 0 && b == 0 ? 2 : 1;
                Module<Tensor, Tensor> block = bottleneck
                    ? new BottleneckBlock(channels, planes, stride)
                    : new BasicBlock(channels, planes, stride);
                layers.Add(($"layer{s + 1}_{b}", block));
                channels = planes * expansion;
            }
        }
        stages = Sequential(layers);
        featureDimension = channels;
        fc = Linear(featureDimension, classes);
        RegisterComponents();
        WeightInit.InitResNet(this, generator);
    }

    public override int FeatureDimension => featureDimension;
    public override int Classes => (int)fc.out_features;

    public override Tensor Features(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = functional.relu(bn1.forward(conv1.forward(images)));
        if (maxPool) x = functional.max_pool2d(x, 3, stride: 2, padding: 1);
        x = stages.forward(x);
        return functional.adaptive_avg_pool2d(x, 1).flatten(1).MoveToOuterDisposeScope();
    }

    public override Tensor Head(Tensor features) => fc.forward(features);

    public override void ReplaceHead(int classes, Generator? generator = null)
    {
        var device = fc.weight!.device;
        var old = fc;
        register_module(nameof(fc), null!);
        fc = Linear(featureDimension, classes);
        WeightInit.LinearDefault(fc.weight!, fc.bias, generator);
        fc.to(device);
        register_module(nameof(fc), fc);
        old.Dispose();
    }
}

/// <summary>1x1 convolution + batch norm projection shortcut (option B), or null where shapes already match.</summary>
internal static class Projection
{
    public static Sequential? IfNeeded(int inChannels, int outChannels, int stride) =>
        stride == 1 && inChannels == outChannels
            ? null
            : Sequential(("conv", Conv2d(inChannels, outChannels, 1, stride: stride, bias: false)),
                         ("bn", new ScalarSafeBatchNorm2d(outChannels)));
}

/// <summary>Two 3x3 convolutions (ResNet-18/34).</summary>
internal sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly ScalarSafeBatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly ScalarSafeBatchNorm2d bn2;
    private readonly Sequential? downsample;

    public BasicBlock(int inChannels, int planes, int stride) : base("BasicBlock")
    {
        conv1 = Conv2d(inChannels, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = new ScalarSafeBatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: 1, padding: 1, bias: false);
        bn2 = new ScalarSafeBatchNorm2d(planes);
        downsample = Projection.IfNeeded(inChannels, planes, stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = functional.relu(bn1.forward(conv1.forward(x)));
        y = bn2.forward(conv2.forward(y));
        var shortcut = downsample is null ? x : downsample.forward(x);
        return functional.relu(Scalars.AddInPlace(y, shortcut)).MoveToOuterDisposeScope();
    }
}

/// <summary>1x1 reduce, 3x3 (carrying the stride), 1x1 expand by 4 (ResNet-50/101/152).</summary>
internal sealed class BottleneckBlock : Module<Tensor, Tensor>
{
    private const int Expansion = 4;
    private readonly Conv2d conv1;
    private readonly ScalarSafeBatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly ScalarSafeBatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly ScalarSafeBatchNorm2d bn3;
    private readonly Sequential? downsample;

    public BottleneckBlock(int inChannels, int planes, int stride) : base("Bottleneck")
    {
        conv1 = Conv2d(inChannels, planes, 1, bias: false);
        bn1 = new ScalarSafeBatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = new ScalarSafeBatchNorm2d(planes);
        conv3 = Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = new ScalarSafeBatchNorm2d(planes * Expansion);
        downsample = Projection.IfNeeded(inChannels, planes * Expansion, stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = functional.relu(bn1.forward(conv1.forward(x)));
        y = functional.relu(bn2.forward(conv2.forward(y)));
        y = bn3.forward(conv3.forward(y));
        var shortcut = downsample is null ? x : downsample.forward(x);
        return functional.relu(Scalars.AddInPlace(y, shortcut)).MoveToOuterDisposeScope();
    }
}
