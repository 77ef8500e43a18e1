using System.Buffers.Binary;
using SelectBench.Common;
using SelectBench.Training;
using static TorchSharp.torch;

namespace SelectBench.Tests.Training;

public sealed class TrainingCheckpointTests
{
    private const int MagicLength = 16;
    private const int ChecksumsLength = 3 * 32;

    private static readonly TrainingRecipe Tiny = new(
        Model: "resnet20", Width: 0.25, Epochs: 1, BatchSize: 20, LearningRate: 0.05, WarmupEpochs: 0,
        Augmentation: new AugmentationSettings(Crop: "none", HorizontalFlip: false), Seed: 3, Threads: 1);

    private static string TrainTiny(out string dir)
    {
        dir = TinyData.TempFolder("ckpt-sum");
        return new Trainer(Tiny, new TrainerOptions(ShowProgress: false)).Train(TinyData.Blocks(30, 8, size: 8), null, null, dir).CheckpointPath;
    }

    /// <summary>Where the weights section's bytes start and how many there are, in a format-2 file.</summary>
    private static (int Start, int Length) WeightsSection(byte[] file)
    {
        int metaLengthAt = MagicLength + 4 + ChecksumsLength;
        int metaLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(metaLengthAt));
        int modelLengthAt = metaLengthAt + 4 + metaLength;
        return (modelLengthAt + 8, (int)BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(modelLengthAt)));
    }

    [Fact]
    public void FormatTwoCheckpointsAreStillReadAsEpochBoundaries()
    {
        // Format 3 only adds the optional mid-epoch position to the metadata; a format-2 file has the same layout.
        var path = TrainTiny(out var dir);
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(MagicLength), 2);
        var old = Path.Combine(dir, "format2.ckpt");
        File.WriteAllBytes(old, bytes);
        var meta = TrainingCheckpoint.ReadMetadata(old);
        Assert.Null(meta.MidEpoch);
        Assert.Equal(TrainingCheckpoint.ReadMetadata(path).Epoch, meta.Epoch);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(MagicLength), 4);
        File.WriteAllBytes(old, bytes);
        Assert.Contains("version 4 is not supported", Assert.ThrowsAny<SelectBench.Common.SelectBenchException>(() => TrainingCheckpoint.ReadMetadata(old)).Message);
    }

    [Fact]
    public void FlippedWeightBytesAreRefusedNamingTheFileAndTheSection()
    {
        var path = TrainTiny(out var dir);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(MagicLength)));
        var (start, length) = WeightsSection(bytes);
        // The end of the state dict is mostly raw weight values: flipped, they load as a network that is silently worse.
        for (int i = start + length - 2048; i < start + length; i++) bytes[i] ^= 0x5A;
        var damaged = Path.Combine(dir, "damaged.ckpt");
        File.WriteAllBytes(damaged, bytes);

        var e = Assert.Throws<BadInputException>(() => TrainingCheckpoint.LoadModel(damaged));
        Assert.Contains(damaged, e.Message);
        Assert.Contains("the weights of damaged.ckpt do not match their checksum", e.Message);
        Assert.Contains("retrain or copy it again", e.Message);
        Assert.Throws<BadInputException>(() => SelectBench.Evaluation.Classifiers.TorchSharpClassifier.Load(damaged));
        TrainingCheckpoint.ReadMetadata(damaged); // the metadata are intact
    }

    [Fact]
    public void AChangedMetadataByteIsRefused()
    {
        var path = TrainTiny(out var dir);
        var bytes = File.ReadAllBytes(path);
        var at = bytes.AsSpan().IndexOf("resnet20"u8);
        bytes[at + 6] = (byte)'5'; // resnet20 -> resnet50: still valid JSON, a different network
        var damaged = Path.Combine(dir, "meta.ckpt");
        File.WriteAllBytes(damaged, bytes);
        Assert.Contains("the metadata of meta.ckpt does not match its checksum", Assert.Throws<BadInputException>(() => TrainingCheckpoint.ReadMetadata(damaged)).Message);
    }

    [Fact]
    public void AFormatOneCheckpointWithoutChecksumsStillLoads()
    {
        var path = TrainTiny(out var dir);
        var bytes = File.ReadAllBytes(path);
        // Format 1 is format 2 without the checksums after the version.
        var old = new byte[bytes.Length - ChecksumsLength];
        bytes.AsSpan(0, MagicLength).CopyTo(old);
        BinaryPrimitives.WriteInt32LittleEndian(old.AsSpan(MagicLength), 1);
        bytes.AsSpan(MagicLength + 4 + ChecksumsLength).CopyTo(old.AsSpan(MagicLength + 4));
        var formatOne = Path.Combine(dir, "format1.ckpt");
        File.WriteAllBytes(formatOne, old);

        var (meta, model) = TrainingCheckpoint.LoadModel(path);
        var (oldMeta, oldModel) = TrainingCheckpoint.LoadModel(formatOne);
        using var _ = model;
        using var __ = oldModel;
        Assert.Equal(meta.RecipeHash, oldMeta.RecipeHash);
        var images = TinyData.Blocks(10, 9, size: 8);
        Assert.Equal(ModelInference.PredictProbabilities(model, meta.Normalization, meta.Height, meta.Width, images, CPU),
            ModelInference.PredictProbabilities(oldModel, oldMeta.Normalization, oldMeta.Height, oldMeta.Width, images, CPU));
    }

    [Fact]
    public void AnUnknownFormatVersionIsRefused()
    {
        var path = TrainTiny(out var dir);
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(MagicLength), 7);
        var future = Path.Combine(dir, "future.ckpt");
        File.WriteAllBytes(future, bytes);
        Assert.Contains("format version 7", Assert.Throws<BadInputException>(() => TrainingCheckpoint.LoadModel(future)).Message);
    }
}
