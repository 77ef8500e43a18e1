using SelectBench.Engine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SelectBench.Training;

/// <summary>One row of the per-epoch CSV log.</summary>
public sealed record EpochLogRow(int Epoch, double LearningRate, double TrainLoss, double TrainAccuracy,
                                 double? ValLoss, double? ValTop1, double Seconds);

/// <summary>
/// Everything in a checkpoint besides tensors: how to rebuild the network, what its outputs mean, how to
/// normalise its inputs, and where training stands (epoch, RNG states, recipe hash, log so far).
/// </summary>
public sealed record CheckpointMetadata(
    ModelSpec Model,
    int Height,
    int Width,
    string[] ClassNames,
    string[] ClassIds,
    InputNormalization Normalization,
    int Epoch,
    int PlannedEpochs,
    string RecipeHash,
    JsonObject Recipe,
    string DataFingerprint,
    string? OrderRngState,
    string? AugmentRngState,
    IReadOnlyList<EpochLogRow> Log,
    double TrainSeconds,
    long ImagesSeen)
{
    public LabelSet LabelSet => new(ClassNames, ClassIds);
}

/// <summary>
/// The SelectBench checkpoint file: a data format, never code. Layout: the ASCII magic
/// "SELECTBENCH-CKPT", an int32 format version, an int32-length UTF-8 JSON <see cref="CheckpointMetadata"/>,
/// then an int64-length section with the model's state dict in TorchSharp's own format
/// (<c>Module.save</c>: names, shapes, dtypes and raw values), then an int64-length section with the
/// optimizer's state (SGD momentum buffers, <c>save_state_dict</c>; see <see cref="OptimizerStateFiles"/>), which is empty in export-only files.
/// Written atomically (temp file + rename), so a kill never leaves a half-written checkpoint.
/// </summary>
public static class TrainingCheckpoint
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("SELECTBENCH-CKPT");
    private const int FormatVersion = 1;

    public static void Save(string path, CheckpointMetadata metadata, nn.Module model, optim.Optimizer? optimizer)
    {
        var meta = JsonSerializer.SerializeToUtf8Bytes(metadata, Json.Options);
        byte[] modelBytes;
        using (var ms = new MemoryStream())
        {
            model.save(ms);
            modelBytes = ms.ToArray();
        }
        byte[] optimizerBytes = [];
        if (optimizer is OptimizerHelper helper)
        {
            using var ms = new MemoryStream();
            using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true)) helper.save_state_dict(w);
            optimizerBytes = ms.ToArray();
        }
        AtomicFile.Write(path, s =>
        {
            using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(meta.Length);
            w.Write(meta);
            w.Write((long)modelBytes.Length);
            w.Write(modelBytes);
            w.Write((long)optimizerBytes.Length);
            w.Write(optimizerBytes);
        });
    }

    /// <summary>Reads only the metadata (cheap: the tensors are skipped).</summary>
    public static CheckpointMetadata ReadMetadata(string path)
    {
        using var fs = OpenChecked(path, out var reader);
        return ReadMeta(path, reader);
    }

    /// <summary>Rebuilds the network from the metadata and loads its weights (on the CPU).</summary>
    public static (CheckpointMetadata Metadata, ClassifierNet Model) LoadModel(string path)
    {
        var (meta, model, _) = Load(path, optimizerFactory: null);
        return (meta, model);
    }

    /// <summary>
    /// Loads metadata and weights; when <paramref name="optimizerFactory"/> is given, builds the optimizer
    /// for the loaded model and restores its state (for resume).
    /// </summary>
    public static (CheckpointMetadata Metadata, ClassifierNet Model, optim.Optimizer? Optimizer) Load(
        string path, Func<ClassifierNet, optim.Optimizer>? optimizerFactory, Device? device = null)
    {
        using var fs = OpenChecked(path, out var reader);
        var meta = ReadMeta(path, reader);
        var modelBytes = ReadSection(path, reader, "model");
        var optimizerBytes = ReadSection(path, reader, "optimizer");
        var model = ModelZoo.Create(meta.Model);
        try
        {
            using (var ms = new MemoryStream(modelBytes)) model.load(ms);
        }
        catch (Exception e) when (e is not SelectBenchException)
        {
            model.Dispose();
            throw new BadInputException(path, $"the weights do not fit a {meta.Model.Name} (width {meta.Model.Width}, {meta.Model.Channels} channels, {meta.Model.Classes} classes): {e.Message}", e);
        }
        if (device is not null) model.to(device);
        optim.Optimizer? optimizer = null;
        if (optimizerFactory is not null)
        {
            optimizer = optimizerFactory(model);
            if (optimizerBytes.Length == 0)
                throw new BadInputException(path, "holds no optimizer state (an exported model); it cannot be resumed.");
            if (optimizer is OptimizerHelper helper) OptimizerStateFiles.Load(helper, optimizerBytes);
        }
        return (meta, model, optimizer);
    }

    public static string EncodeRng(Generator generator)
    {
        using var state = generator.get_state();
        return Convert.ToBase64String(state.data<byte>().ToArray());
    }

    public static void RestoreRng(Generator generator, string? state, string path)
    {
        if (state is null) throw new BadInputException(path, "holds no RNG state; it cannot be resumed.");
        using var t = tensor(Convert.FromBase64String(state), dtype: ScalarType.Byte);
        generator.set_state(t);
    }

    private static FileStream OpenChecked(string path, out BinaryReader reader)
    {
        if (!File.Exists(path)) throw new SelectBenchException($"Checkpoint '{path}' not found.");
        var fs = File.OpenRead(path);
        reader = new BinaryReader(fs, Encoding.UTF8, leaveOpen: true);
        var magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic))
        {
            fs.Dispose();
            throw new BadInputException(path, "not a SelectBench checkpoint (bad magic). Give a file written by 'selectbench train', or an .onnx model.");
        }
        return fs;
    }

    private static CheckpointMetadata ReadMeta(string path, BinaryReader reader)
    {
        try
        {
            int version = reader.ReadInt32();
            if (version != FormatVersion) throw new BadInputException(path, $"checkpoint format version {version} is not supported (this build reads {FormatVersion}).");
            int length = reader.ReadInt32();
            if (length <= 0 || length > 64 << 20) throw new BadInputException(path, "corrupt checkpoint header.");
            var bytes = reader.ReadBytes(length);
            if (bytes.Length != length) throw new BadInputException(path, "truncated checkpoint.");
            return JsonSerializer.Deserialize<CheckpointMetadata>(bytes, Json.Options)
                   ?? throw new BadInputException(path, "empty checkpoint metadata.");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException)
        {
            throw new BadInputException(path, $"corrupt or truncated checkpoint ({e.Message}).", e);
        }
    }

    private static byte[] ReadSection(string path, BinaryReader reader, string what)
    {
        try
        {
            long length = reader.ReadInt64();
            if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
                throw new BadInputException(path, $"truncated checkpoint ({what} section).");
            return reader.ReadBytes((int)length);
        }
        catch (EndOfStreamException e)
        {
            throw new BadInputException(path, $"truncated checkpoint ({what} section).", e);
        }
    }
}
