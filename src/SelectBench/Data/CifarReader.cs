using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// Reads the CIFAR-10 and CIFAR-100 binary versions (https://www.cs.toronto.edu/~kriz/cifar.html, "Binary
/// version"). CIFAR-10: data_batch_1..5.bin (train) and test_batch.bin, records of 1 label byte + 3072 pixel
/// bytes (1024 red, 1024 green, 1024 blue, rows of 32), class names in batches.meta.txt. CIFAR-100: train.bin and
/// test.bin, records of 1 coarse label byte + 1 fine label byte + 3072 pixel bytes, names in
/// fine_label_names.txt / coarse_label_names.txt. The pixel layout is already C x H x W, so records are copied
/// as they are. Ids are "{file stem}/{record:D5}".
/// </summary>
[Registered("cifar", Description = "CIFAR-10 or CIFAR-100 binary version folder (also one level down), split train or test")]
public sealed class CifarReader : IImageSetReader
{
    private const int ImageBytes = 3 * 32 * 32;

    public enum Variant { Cifar10, Cifar100 }

    /// <summary>Which variant a folder holds (also looks one level down, in cifar-10-batches-bin or cifar-100-binary), or null.</summary>
    public static (Variant Kind, string Folder)? Detect(string folder)
    {
        foreach (var dir in new[] { folder, Path.Combine(folder, "cifar-10-batches-bin"), Path.Combine(folder, "cifar-100-binary") })
        {
            if (!Directory.Exists(dir)) continue;
            if (File.Exists(Path.Combine(dir, "test_batch.bin")) || File.Exists(Path.Combine(dir, "data_batch_1.bin"))) return (Variant.Cifar10, dir);
            if (File.Exists(Path.Combine(dir, "train.bin")) || File.Exists(Path.Combine(dir, "test.bin"))) return (Variant.Cifar100, dir);
        }
        return null;
    }

    public bool CanRead(SourceSpec spec) => spec.IsFolder && Detect(spec.Path) != null;

    public DataLoadResult Read(SourceSpec spec, DataLoadOptions options, CancellationToken token)
    {
        var (kind, folder) = Detect(spec.Path) ?? throw new SelectBenchException($"{spec.Path}: no CIFAR-10 or CIFAR-100 binary files.");
        var split = spec.Split ?? "train";
        var files = SplitFiles(kind, folder, split);
        token.ThrowIfCancellationRequested();
        return DataSources.Cached(new ResolvedSource($"{kind}-{split}".ToLowerInvariant(), $"{kind} {folder}:{split}", files,
            o => Read(kind, folder, split, o)), options);
    }

    /// <summary>The files of a split, in reading order.</summary>
    public static IReadOnlyList<string> SplitFiles(Variant kind, string folder, string split)
    {
        string[] names = (kind, split) switch
        {
            (Variant.Cifar10, "train") => Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray(),
            (Variant.Cifar10, "test") => ["test_batch.bin"],
            (Variant.Cifar100, "train") => ["train.bin"],
            (Variant.Cifar100, "test") => ["test.bin"],
            _ => throw new SelectBenchException($"CIFAR folder {folder} has splits 'train' and 'test', not '{split}'."),
        };
        var paths = names.Select(n => Path.Combine(folder, n)).ToArray();
        var missing = paths.Where(p => !File.Exists(p)).Select(Path.GetFileName).ToArray();
        if (missing.Length > 0) throw new SelectBenchException($"CIFAR folder {folder} lacks {string.Join(", ", missing)} for split '{split}'.");
        return paths;
    }

    public static (ImageSet Set, IReadOnlyList<SkippedInput> Skipped) Read(Variant kind, string folder, string split, DataLoadOptions options)
    {
        var files = SplitFiles(kind, folder, split);
        var log = new BadInputLog(options);
        var labelSet = options.LabelSet ?? ClassNames(kind, folder, options.CifarLabels);
        int header = kind == Variant.Cifar10 ? 1 : 2;
        int labelOffset = kind == Variant.Cifar100 && options.CifarLabels == CifarLabelKind.Fine ? 1 : 0;
        int record = header + ImageBytes;
        var pixels = new List<byte[]>();
        var labels = new List<int>();
        var ids = new List<string>();
        foreach (var file in files)
        {
            var data = File.ReadAllBytes(file);
            if (data.Length == 0 || data.Length % record != 0)
            {
                log.Report(file, $"is {data.Length} bytes, not a whole number of {record}-byte CIFAR records: truncated or not a CIFAR batch; " +
                                 $"its {data.Length / record} whole records are {(options.OnBadInput == BadInputPolicy.Skip ? "kept" : "not used")}.");
            }
            var stem = Path.GetFileNameWithoutExtension(file);
            int n = data.Length / record;
            for (int i = 0; i < n; i++)
            {
                int label = data[i * record + labelOffset];
                if (label >= labelSet.Count)
                {
                    log.Report($"{file}[{i}]", $"label {label} is outside the label set of {labelSet.Count} classes.");
                    continue;
                }
                pixels.Add(data.AsSpan(i * record + header, ImageBytes).ToArray());
                labels.Add(label);
                ids.Add($"{stem}/{i:D5}");
            }
        }
        if (labels.Count == 0) throw new SelectBenchException($"CIFAR folder {folder}: no records for split '{split}'.");
        var all = new byte[(long)labels.Count * ImageBytes];
        for (int i = 0; i < pixels.Count; i++) Buffer.BlockCopy(pixels[i], 0, all, i * ImageBytes, ImageBytes);
        return (new ImageSet(all, labels.ToArray(), labelSet, 3, 32, 32, ids.ToArray()), log.Skipped);
    }

    private static LabelSet ClassNames(Variant kind, string folder, CifarLabelKind which)
    {
        var file = kind == Variant.Cifar10 ? "batches.meta.txt" : which == CifarLabelKind.Fine ? "fine_label_names.txt" : "coarse_label_names.txt";
        var path = Path.Combine(folder, file);
        if (File.Exists(path))
        {
            var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            if (names.Length > 0) return new LabelSet(names);
        }
        int count = kind == Variant.Cifar10 ? 10 : which == CifarLabelKind.Fine ? 100 : 20;
        return LabelSet.Numbered(count);
    }
}
