using SelectBench.Engine;
using System.Security.Cryptography;
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
    long ImagesSeen,
    MidEpochState? MidEpoch = null)
{
    public LabelSet LabelSet => new(ClassNames, ClassIds);
}

/// <summary>
/// Where a checkpoint written inside an epoch stands (out-of-core training sets, whose epochs can last hours):
/// <see cref="Step"/> steps of epoch <see cref="CheckpointMetadata.Epoch"/> + 1 are done, with the running loss sum,
/// correct count, samples seen and seconds of that epoch so far. The loader redraws the epoch's order and each
/// sample's augmentation from (seed, epoch, position), so resuming at <see cref="Step"/> gives the weights an
/// uninterrupted run would. Null at epoch boundaries.
/// </summary>
public sealed record MidEpochState(int Step, double LossSum, long Correct, long Seen, double Seconds);

/// <summary>
/// The SelectBench checkpoint file: a data format, never code (docs/training.md, "Checkpoint format and resume").
/// Layout: the ASCII magic "SELECTBENCH-CKPT", an int32 format version, then (format 2) the SHA-256 of each of
/// the three sections below, 32 bytes each, in their order; then an int32-length UTF-8 JSON
/// <see cref="CheckpointMetadata"/>, an int64-length section with the model's state dict in TorchSharp's own
/// format (<c>Module.save</c>: names, shapes, dtypes and raw values), and an int64-length section with the
/// optimizer's state (SGD momentum buffers, <c>save_state_dict</c>; see <see cref="OptimizerStateFiles"/>), which is
/// empty in export-only files. A section whose bytes do not match their checksum is refused: flipped weight
/// bytes still load as a network, and would only show as a lower accuracy. Format 1 (no checksums) is still read.
/// Format 3 has format 2's layout; its metadata may hold a <see cref="MidEpochState"/>, which a format-2 reader would
/// silently drop (and restart the epoch with the wrong weights), hence the new number. Formats 1 and 2 are read as
/// epoch-boundary checkpoints.
/// Written atomically (temp file + rename), so a kill never leaves a half-written checkpoint.
/// </summary>
public static class TrainingCheckpoint
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("SELECTBENCH-CKPT");
    private const int FormatVersion = 3;

    /// <summary>Format 2: checksummed sections, epoch-boundary checkpoints only; read as such.</summary>
    private const int EpochOnlyFormatVersion = 2;

    /// <summary>Checkpoints written before the sections had checksums; read without verifying.</summary>
    private const int UncheckedFormatVersion = 1;

    private const int ChecksumLength = 32;

    /// <summary>The sections in file order, as an error names them.</summary>
    private static readonly string[] SectionNames = ["metadata", "weights", "optimizer state"];

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
            w.Write(SHA256.HashData(meta));
            w.Write(SHA256.HashData(modelBytes));
            w.Write(SHA256.HashData(optimizerBytes));
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
        var checksums = ReadChecksums(path, reader);
        return ReadMeta(path, reader, checksums);
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
        var checksums = ReadChecksums(path, reader);
        var meta = ReadMeta(path, reader, checksums);
        var modelBytes = ReadSection(path, reader, 1, checksums);
        var optimizerBytes = ReadSection(path, reader, 2, checksums);
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

    /// <summary>The format version, then (format 2) the three section checksums; null for a format-1 file.</summary>
    private static byte[][]? ReadChecksums(string path, BinaryReader reader)
    {
        try
        {
            int version = reader.ReadInt32();
            if (version == UncheckedFormatVersion) return null;
            if (version != FormatVersion && version != EpochOnlyFormatVersion)
                throw new BadInputException(path, $"checkpoint format version {version} is not supported (this build reads {UncheckedFormatVersion} to {FormatVersion}).");
            var checksums = new byte[SectionNames.Length][];
            for (int i = 0; i < checksums.Length; i++)
            {
                checksums[i] = reader.ReadBytes(ChecksumLength);
                if (checksums[i].Length != ChecksumLength) throw new BadInputException(path, "truncated checkpoint (header).");
            }
            return checksums;
        }
        catch (EndOfStreamException e)
        {
            throw new BadInputException(path, "truncated checkpoint (header).", e);
        }
    }

    private static CheckpointMetadata ReadMeta(string path, BinaryReader reader, byte[][]? checksums)
    {
        try
        {
            int length = reader.ReadInt32();
            if (length <= 0 || length > 64 << 20) throw new BadInputException(path, "corrupt checkpoint header.");
            var bytes = reader.ReadBytes(length);
            if (bytes.Length != length) throw new BadInputException(path, "truncated checkpoint.");
            Verify(path, bytes, 0, checksums);
            return JsonSerializer.Deserialize<CheckpointMetadata>(bytes, Json.Options)
                   ?? throw new BadInputException(path, "empty checkpoint metadata.");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException)
        {
            throw new BadInputException(path, $"corrupt or truncated checkpoint ({e.Message}).", e);
        }
    }

    private static byte[] ReadSection(string path, BinaryReader reader, int section, byte[][]? checksums)
    {
        var what = SectionNames[section];
        byte[] bytes;
        try
        {
            long length = reader.ReadInt64();
            if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
                throw new BadInputException(path, $"truncated checkpoint ({what} section).");
            bytes = reader.ReadBytes((int)length);
        }
        catch (EndOfStreamException e)
        {
            throw new BadInputException(path, $"truncated checkpoint ({what} section).", e);
        }
        Verify(path, bytes, section, checksums);
        return bytes;
    }

    private static void Verify(string path, byte[] bytes, int section, byte[][]? checksums)
    {
        if (checksums is null || SHA256.HashData(bytes).AsSpan().SequenceEqual(checksums[section])) return;
        var doNotMatch = section == 1 ? "do not match their" : "does not match its";
        throw new BadInputException(path,
            $"the {SectionNames[section]} of {Path.GetFileName(path)} {doNotMatch} checksum: the file is damaged; retrain or copy it again.");
    }
}
