using SelectBench.Engine;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SelectBench.Models;

/// <summary>
/// The CIFAR ResNets of He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition" (CVPR 2016),
/// section 4.2: a 3x3 convolution with 16 filters, then three stages of n basic blocks on 16, 32 and 64
/// filters (the first block of stages 2 and 3 subsamples with stride 2), global average pooling and a
/// fully connected layer. Depth = 6n + 2: ResNet-20 (n = 3), ResNet-32 (n = 5), ResNet-56 (n = 9).
///
/// Shortcuts are the paper's <b>option A</b> ("we use identity shortcuts in all cases", section 4.2): where
/// a block halves the resolution and widens the channels, the shortcut takes every second pixel and pads
/// the new channels with zeros, adding no parameters (ResNet-20 has 0.27M parameters, as in Table 6).
/// A width multiplier scales the 16/32/64 filters for small profiles; any input channel count and
/// input size works (the global pooling removes the size).
/// </summary>
public sealed class CifarResNet : ClassifierNet
{
    private readonly Conv2d stem;
    private readonly ScalarSafeBatchNorm2d stemBn;
    private readonly Sequential stages;
    private Linear fc;
    private readonly int featureDimension;

    public int BlocksPerStage { get; }

    public CifarResNet(int blocksPerStage, int inChannels, int classes, double width = 1.0, Generator? generator = null)
        : base($"CifarResNet{6 * blocksPerStage + 2}")
    {
        if (blocksPerStage < 1) throw new ArgumentOutOfRangeException(nameof(blocksPerStage), "need at least one block per stage");
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels));
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes));
        if (!(width > 0)) throw new ArgumentOutOfRangeException(nameof(width), "width multiplier must be positive");
        BlocksPerStage = blocksPerStage;
        int[] filters = [WeightInit.Scaled(16, width), WeightInit.Scaled(32, width), WeightInit.Scaled(64, width)];
        stem = Conv2d(inChannels, filters[0], 3, stride: 1, padding: 1, bias: false);
        stemBn = new ScalarSafeBatchNorm2d(filters[0]);
        var blocks = new List<(string, Module<Tensor, Tensor>)>();
        int channels = filters[0];
        for (int s = 0; s < 3; s++)
            for (int b = 0; b < blocksPerStage; b++)
            {
                int stride = s > 0 && b == 0 ? 2 : 1;
                blocks.Add(($"stage{s + 1}_block{b + 1}", new CifarBasicBlock(channels, filters[s], stride)));
                channels = filters[s];
            }
        stages = Sequential(blocks);
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
        var x = functional.relu(stemBn.forward(stem.forward(images)));
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

/// <summary>Basic residual block (two 3x3 convolutions) with the option-A parameter-free shortcut.</summary>
internal sealed class CifarBasicBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly ScalarSafeBatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly ScalarSafeBatchNorm2d bn2;
    private readonly int stride;
    private readonly int padBefore;
    private readonly int padAfter;

    public CifarBasicBlock(int inChannels, int outChannels, int stride) : base("CifarBasicBlock")
    {
        conv1 = Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        bn1 = new ScalarSafeBatchNorm2d(outChannels);
        conv2 = Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, bias: false);
        bn2 = new ScalarSafeBatchNorm2d(outChannels);
        this.stride = stride;
        int extra = outChannels - inChannels;
        if (extra < 0) throw new ArgumentException("option-A shortcuts cannot reduce channels");
        padBefore = extra / 2;
        padAfter = extra - padBefore;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = functional.relu(bn1.forward(conv1.forward(x)));
        y = bn2.forward(conv2.forward(y));
        var shortcut = x;
        if (stride != 1)
            shortcut = shortcut[TensorIndex.Colon, TensorIndex.Colon,
                TensorIndex.Slice(null, null, stride), TensorIndex.Slice(null, null, stride)];
        if (padBefore + padAfter > 0)
            shortcut = functional.pad(shortcut, [0, 0, 0, 0, padBefore, padAfter]);
        return functional.relu(Scalars.AddInPlace(y, shortcut)).MoveToOuterDisposeScope();
    }
}
