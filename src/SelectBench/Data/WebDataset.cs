using System.Formats.Tar;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SelectBench.Common;
using SelectBench.Data.Sharded;
using SkiaSharp;

namespace SelectBench.Data;

/// <summary>
/// WebDataset tar shards (https://github.com/webdataset/webdataset): each sample is a group of consecutive
/// members sharing a key, the member path up to the first dot of its file name ("a/b/00042.jpg" has key
/// "a/b/00042" and extension "jpg"). SelectBench reads an image member (jpg, jpeg, png, webp, bmp, gif) and a
/// label: <c>key.cls</c> (class index as text) or <c>key.json</c> (a label field holding an index or a class
/// name). Member names are only ever used as keys, never as file-system paths; names that are absolute or
/// climb with "..", and link members, are rejected as bad input all the same, so a hostile shard is reported.
/// Without a given label set, <c>classes.txt</c> beside the first shard (one class per line, as
/// <see cref="WebDatasetWriter"/> writes it) names the classes; otherwise integer labels give classes 0..K-1,
/// which must each have a sample, and string labels their sorted distinct values.
/// Refused as bad input (docs/data.md, "Refusals"): a sample key given twice in a shard (a later label member
/// would silently relabel the sample; under skip both samples are left out), and without classes.txt an
/// integer label that leaves classes without samples (label 999 among 0 and 1 would make 998 empty classes;
/// under skip the samples above the first empty class are left out).
/// </summary>
[Registered("webdataset", Description = "WebDataset .tar shards: one .tar file, a brace pattern such as shards/{00000..00123}.tar, or a folder of .tar files")]
public sealed class WebDatasetReader : IImageSetReader
{
    public const string ClassesFile = "classes.txt";
    private static readonly string[] ImageExtensions = ["jpg", "jpeg", "png", "webp", "bmp", "gif"];
    /// <summary>Members larger than this are refused unread (no encoded training image is this large).</summary>
    public const long MaxMemberBytes = 256L << 20;
    private const int BatchSize = 256;

    public bool CanRead(SourceSpec spec) =>
        IsPattern(spec)
        || (spec.IsFile && spec.FileName.EndsWith(".tar", StringComparison.OrdinalIgnoreCase))
        || (spec.IsFolder && Directory.EnumerateFiles(spec.Path, "*.tar").Any());

    public DataLoadResult Read(SourceSpec spec, DataLoadOptions options, CancellationToken token)
    {
        IReadOnlyList<string> shards = IsPattern(spec) ? ShardPattern.Expand(spec.Path)
            : spec.IsFile ? [spec.Path]
            : Directory.GetFiles(spec.Path, "*.tar").Order(StringComparer.Ordinal).ToArray();
        if (spec.Split != null) throw new SelectBenchException($"{spec.Path}: WebDataset shards have no splits; give the shards of split '{spec.Split}' directly.");
        var missing = shards.Where(s => !File.Exists(s)).Take(3).ToArray();
        if (missing.Length > 0) throw new SelectBenchException($"WebDataset shard {missing[0]} does not exist{(missing.Length > 1 ? " (nor do others of the pattern)" : "")}.");
        token.ThrowIfCancellationRequested();
        return DataSources.Cached(new ResolvedSource($"webdataset-{Path.GetFileNameWithoutExtension(shards[0])}", $"WebDataset {spec.Path}", shards,
            o => Read(shards, o)), options);
    }

    /// <summary>
    /// Every decoded image is a large-object-heap array (110 kB at 3 x 192 x 192) that is garbage at once in an
    /// out-of-core import; the runtime collects that heap only in full collections, so without one per shard the
    /// resident memory grows with the number of images although nothing is held. A compacting full collection per
    /// shard (1,000 images) costs milliseconds against seconds of decoding.
    /// </summary>
    private static void ReleaseDecoded()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>A brace pattern such as shards/{00000..00123}.tar: a path with '{' that is not itself a file or folder.</summary>
    private static bool IsPattern(SourceSpec spec) => spec.Path.Contains('{') && !spec.IsFile && !spec.IsFolder;

    /// <summary>The most decoded bytes the last <see cref="Read(IReadOnlyList{string}, DataLoadOptions)"/> on this thread held at once (tests check that imports stream).</summary>
    [ThreadStatic] public static long LastPeakHeldBytes;

    public static (ImageSet Set, IReadOnlyList<SkippedInput> Skipped) Read(IReadOnlyList<string> shards, DataLoadOptions options)
    {
        if (shards.Count == 0) throw new SelectBenchException("No WebDataset shards given.");
        foreach (var shard in shards)
            if (!File.Exists(shard)) throw new SelectBenchException($"WebDataset shard {shard} does not exist.");
        var log = new BadInputLog(options);
        var fixedLabels = options.LabelSet ?? ReadClassesFile(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(shards[0]))!, ClassesFile));
        var provisional = new Dictionary<string, int>(StringComparer.Ordinal);
        var builder = new ImageSetBuilder(options, log);
        var batch = new List<EncodedSample>(BatchSize);
        // The builder gets each sample's number as its id; decoding may leave samples out, and the number
        // traces every decoded image back to its id and its label member.
        var ids = new List<string>();
        var labelMembers = new List<string>();
        // Out-of-core import (docs/data.md "Out-of-core sets"): with a resize, each shard's kept images also stream
        // into a store; once the decoded pixels pass the in-memory limit the builder lets them go and the set is
        // built over the store. Under the limit the store is deleted and the set is exactly the in-memory one.
        var transform = options.EffectiveTransform;
        var storeFolder = transform.Mode == ResizeMode.None ? null
            : options.StoreFolder ?? Path.Combine(Path.GetTempPath(), $"selectbench-store-{Guid.NewGuid():N}");
        int maxShortSide = Math.Max(ShardedImageStoreWriter.DefaultMaxShortSide, Math.Max(transform.ResizeShorterSide, Math.Max(transform.Width, transform.Height)));
        using var writer = storeFolder == null ? null : new ShardedImageStoreWriter(storeFolder, maxShortSide, description: $"WebDataset {shards[0]}");
        void Flush()
        {
            var kept = builder.AddBatch(batch, writer == null ? null : (bytes, item) => ShardedImageStoreWriter.Prepare(bytes, item, maxShortSide, options.MaxImagePixels));
            if (writer != null)
                for (int k = 0; k < batch.Count; k++)
                    if (kept[k] is { } stored) writer.Add(stored, batch[k].Label, ids[int.Parse(batch[k].Id, CultureInfo.InvariantCulture)]);
            batch.Clear();
            if (writer != null && builder.HoldsPixels && builder.HeldBytes > options.InMemoryLimit) { builder.DropPixels(); ReleaseDecoded(); }
        }
        foreach (var shard in shards)
        {
            foreach (var sample in ReadShard(shard, log))
            {
                var item = $"{shard}:{sample.Key}";
                string? raw = sample.Cls != null ? ParseCls(sample.Cls, item + ".cls", log)
                            : sample.Json != null ? ParseJsonLabel(sample.Json, item + ".json", options.JsonLabelField, log)
                            : Missing(item, log);
                if (raw == null) continue;
                int label;
                if (fixedLabels != null)
                {
                    label = ResolveFixed(raw, fixedLabels);
                    if (label < 0) { log.Report(item, $"label '{raw}' is outside the label set of {fixedLabels.Count} classes."); continue; }
                }
                else if (!provisional.TryGetValue(raw, out label))
                {
                    label = provisional.Count;
                    provisional[raw] = label;
                }
                var bytes = sample.Image!;
                var number = ids.Count.ToString(CultureInfo.InvariantCulture);
                ids.Add(sample.Id ?? $"{Path.GetFileNameWithoutExtension(shard)}/{sample.Key}");
                labelMembers.Add(item + (sample.Cls != null ? ".cls" : ".json"));
                batch.Add(new EncodedSample($"{item}.{sample.ImageExtension}", number, label, () => bytes));
                if (batch.Count == BatchSize) Flush();
            }
            if (!builder.HoldsPixels) ReleaseDecoded();
        }
        if (batch.Count > 0) Flush();
        LastPeakHeldBytes = builder.PeakHeldBytes;
        var source = $"WebDataset {shards[0]}{(shards.Count > 1 ? $" (+{shards.Count - 1} shards)" : "")}";
        var provisionalSet = fixedLabels ?? LabelSet.Numbered(Math.Max(1, provisional.Count));
        ImageSet decoded;
        if (writer == null || builder.HoldsPixels)
        {
            writer?.Dispose();
            if (storeFolder != null && Directory.Exists(storeFolder)) Directory.Delete(storeFolder, recursive: true);
            decoded = builder.Build(provisionalSet, source);
        }
        else
        {
            if (builder.Count == 0) throw new SelectBenchException($"{source}: no readable images ({log.Skipped.Count} skipped as bad input).");
            var store = writer.Complete(provisionalSet);
            var (keptIds, keptLabels) = builder.Kept;
            decoded = new ImageSet(new StoreSelection(store, Enumerable.Range(0, store.Count).ToArray(), transform, options.MaxImagePixels),
                keptLabels.ToArray(), provisionalSet, keptIds.ToArray());
        }
        var numbers = decoded.Ids.Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();
        var realIds = numbers.Select(n => ids[n]).ToArray();
        if (fixedLabels != null)
            return (decoded.WithLabels(decoded.Labels, fixedLabels, realIds), log.Skipped);

        var (labelSet, map) = LabelSetFromRaw(provisional);
        var labels = decoded.Labels.Select(p => map[p]).ToArray();
        var relabelled = decoded.WithLabels(labels, labelSet, realIds);
        if (provisional.Keys.Any(k => k.StartsWith("name:", StringComparison.Ordinal))) return (relabelled, log.Skipped);
        return (WithoutEmptyClasses(relabelled, numbers.Select(n => labelMembers[n]).ToArray(), log, source), log.Skipped);
    }

    /// <summary>
    /// Integer labels without classes.txt must be 0..K-1 with a sample of every class: a stray label (999 among 0
    /// and 1) would otherwise make a 1000-class set with 998 empty classes, and a 1000-class model. The first
    /// sample above the first empty class is refused under Fail; under Skip every such sample is left out.
    /// </summary>
    private static ImageSet WithoutEmptyClasses(ImageSet set, string[] labelMembers, BadInputLog log, string source)
    {
        var counts = set.ClassCounts();
        int firstEmpty = Array.IndexOf(counts, 0);
        if (firstEmpty < 0) return set;
        var empty = Enumerable.Range(0, counts.Length).Where(c => counts[c] == 0).ToArray();
        var keep = new List<int>(set.Count);
        for (int i = 0; i < set.Count; i++)
        {
            if (set.Labels[i] < firstEmpty) { keep.Add(i); continue; }
            log.Report(labelMembers[i],
                $"label {set.Labels[i]} makes the classes 0..{counts.Length - 1}, but {empty.Length} of them have no sample " +
                $"({string.Join(", ", empty.Take(5))}{(empty.Length > 5 ? ", ..." : "")}); without {ClassesFile} the labels must be 0..K-1 " +
                $"with a sample of each class. Add {ClassesFile} beside the shards naming the classes (line i names class i), or correct the label.");
        }
        if (keep.Count == 0) throw new SelectBenchException($"{source}: no readable images ({log.Skipped.Count} skipped as bad input).");
        var kept = set.Select(keep);
        return kept.WithLabels(kept.Labels, LabelSet.Numbered(firstEmpty), kept.Ids);
    }

    private sealed class RawSample(string key, (string Name, int Index) firstMember)
    {
        public string Key { get; } = key;
        public (string Name, int Index) FirstMember { get; } = firstMember;
        public byte[]? Image { get; set; }
        public string? ImageExtension { get; set; }
        public byte[]? Cls { get; set; }
        public byte[]? Json { get; set; }
        public string? Id { get; set; }
    }

    /// <summary>
    /// Reads one shard's samples in member order. A broken shard reports what it could not read and keeps what came
    /// before. A sample's members are consecutive and each extension appears once (webdataset groups members by
    /// key as they come); a key that comes back after another sample, or repeats a member, is a duplicate sample
    /// key: refused naming both members, or under Skip both samples are left out and both members reported.
    /// </summary>
    private static List<RawSample> ReadShard(string shard, BadInputLog log)
    {
        var samples = new List<RawSample>();
        var byKey = new Dictionary<string, RawSample>(StringComparer.Ordinal);
        var memberNames = new Dictionary<string, (string Name, int Index)>(StringComparer.Ordinal); // key.ext (lower case) -> the member
        var duplicateKeys = new HashSet<string>(StringComparer.Ordinal);
        string? currentKey = null;
        int members = 0;
        try
        {
            using var file = File.OpenRead(shard);
            using var reader = new TarReader(file);
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                members++;
                if (entry.EntryType is TarEntryType.Directory or TarEntryType.GlobalExtendedAttributes) continue;
                var name = entry.Name;
                var item = $"{shard}:{name}";
                if (!IsSafeName(name)) { log.Report(item, "member name is absolute or contains '..'; such names are refused."); continue; }
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                {
                    log.Report(item, $"member is a {entry.EntryType}, not a regular file; links are never followed.");
                    continue;
                }
                var (key, ext) = SplitKey(name);
                if (key == null) continue; // no extension: not part of any sample, ignored like webdataset does
                ext = ext!.ToLowerInvariant();
                bool isImage = ImageExtensions.Contains(ext);
                if (!isImage && ext is not ("cls" or "json")) continue;
                if (duplicateKeys.Contains(key)) continue; // already reported with the member it repeats
                bool returns = key != currentKey && byKey.ContainsKey(key);
                currentKey = key;
                if (returns || memberNames.ContainsKey($"{key}.{ext}"))
                {
                    var earlier = memberNames.TryGetValue($"{key}.{ext}", out var same) ? same : byKey[key].FirstMember;
                    duplicateKeys.Add(key);
                    ReportDuplicate(shard, key, earlier, (name, members), log);
                    continue;
                }
                memberNames[$"{key}.{ext}"] = (name, members);
                if (entry.Length > MaxMemberBytes) { log.Report(item, $"member is {entry.Length:N0} bytes, above the {MaxMemberBytes:N0}-byte limit."); continue; }
                var data = ReadAll(entry.DataStream, entry.Length);
                if (!byKey.TryGetValue(key, out var sample))
                {
                    sample = new RawSample(key, memberNames[$"{key}.{ext}"]);
                    byKey[key] = sample;
                    samples.Add(sample);
                }
                if (isImage)
                {
                    if (sample.Image == null || Array.IndexOf(ImageExtensions, ext) < Array.IndexOf(ImageExtensions, sample.ImageExtension))
                    { sample.Image = data; sample.ImageExtension = ext; }
                }
                else if (ext == "cls") sample.Cls = data;
                else sample.Json = data;
            }
        }
        // System.Formats.Tar throws OverflowException on a damaged base-256 size or time field (found by FuzzTests).
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or OverflowException or IOException and not FileNotFoundException)
        {
            log.Report(shard, $"shard is truncated or corrupt after {members} members ({e.Message.ReplaceLineEndings(" ")}); the samples before that point are kept.", e);
        }
        samples.RemoveAll(sample => duplicateKeys.Contains(sample.Key));
        foreach (var sample in samples)
        {
            if (sample.Json != null) sample.Id = TryReadId(sample.Json);
        }
        var complete = new List<RawSample>(samples.Count);
        foreach (var sample in samples)
        {
            if (sample.Image == null)
                log.Report($"{shard}:{sample.Key}", "sample has no image member (jpg, jpeg, png, webp, bmp or gif).");
            else complete.Add(sample);
        }
        return complete;
    }

    /// <summary>
    /// Refuses a duplicate sample key under Fail; under Skip reports both members (both samples are left out).
    /// Members are named with their position in the shard, as two members may have the same name.
    /// </summary>
    private static void ReportDuplicate(string shard, string key, (string Name, int Index) earlier, (string Name, int Index) later, BadInputLog log)
    {
        const string Why = "a later label member would silently relabel the sample. Give each sample a key of its own";
        log.Report($"{shard}:{later.Name}",
            $"sample key '{key}' is used twice: this member (member {later.Index}) repeats the sample of {shard}:{earlier.Name} (member {earlier.Index}); {Why}.");
        log.Report($"{shard}:{earlier.Name}",
            $"sample key '{key}' is used twice: {shard}:{later.Name} (member {later.Index}) repeats this sample (member {earlier.Index}); {Why}.");
    }

    private static byte[] ReadAll(Stream? stream, long length)
    {
        if (stream == null || length == 0) return [];
        var data = new byte[length];
        stream.ReadExactly(data);
        return data;
    }

    /// <summary>True for relative names without ".." segments (<see cref="TarMemberNames.IsSafe"/>).</summary>
    internal static bool IsSafeName(string name) => TarMemberNames.IsSafe(name);

    /// <summary>WebDataset's base_plus_ext: key = path up to the first dot of the file name, extension = the rest.</summary>
    internal static (string? Key, string? Extension) SplitKey(string name)
    {
        int slash = name.LastIndexOf('/');
        int dot = name.IndexOf('.', slash + 1);
        if (dot <= slash + 1 || dot == name.Length - 1) return (null, null);
        return (name[..dot], name[(dot + 1)..]);
    }

    private static string? Missing(string item, BadInputLog log)
    {
        log.Report(item, "sample has no label member (.cls or .json).");
        return null;
    }

    private static string? ParseCls(byte[] data, string item, BadInputLog log)
    {
        var text = Encoding.UTF8.GetString(data).Trim();
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0)
            return value.ToString(CultureInfo.InvariantCulture);
        log.Report(item, $"'{(text.Length > 40 ? text[..40] + "..." : text)}' is not a class index.");
        return null;
    }

    private static string? ParseJsonLabel(byte[] data, string item, string field, BadInputLog log)
    {
        try
        {
            using var doc = JsonDocument.Parse(data);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(field, out var value))
            {
                if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var index) && index >= 0)
                    return index.ToString(CultureInfo.InvariantCulture);
                if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s) return "name:" + s;
            }
            log.Report(item, $"has no usable '{field}' field (a class index or class name).");
        }
        catch (JsonException e)
        {
            log.Report(item, $"is not valid JSON ({e.Message}).");
        }
        return null;
    }

    private static string? TryReadId(byte[] json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("id", out var id) &&
                   id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        }
        catch (JsonException) { return null; }
    }

    /// <summary>Raw labels are "123" (an index) or "name:xyz" (a class name or id).</summary>
    private static int ResolveFixed(string raw, LabelSet labels)
    {
        if (raw.StartsWith("name:", StringComparison.Ordinal)) return labels.IndexOf(raw[5..]);
        int index = int.Parse(raw, CultureInfo.InvariantCulture);
        return index < labels.Count ? index : -1;
    }

    private static (LabelSet Set, int[] Map) LabelSetFromRaw(Dictionary<string, int> provisional)
    {
        var map = new int[provisional.Count];
        if (provisional.Keys.All(k => !k.StartsWith("name:", StringComparison.Ordinal)))
        {
            int max = provisional.Keys.Select(k => int.Parse(k, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
            foreach (var (raw, p) in provisional) map[p] = int.Parse(raw, CultureInfo.InvariantCulture);
            return (LabelSet.Numbered(max + 1), map);
        }
        if (provisional.Keys.Any(k => !k.StartsWith("name:", StringComparison.Ordinal)))
            throw new SelectBenchException("WebDataset shards mix class indices and class names; give a label set (classes.txt beside the shards) to map both.");
        var names = provisional.Keys.Select(k => k[5..]).Order(StringComparer.Ordinal).ToArray();
        foreach (var (raw, p) in provisional) map[p] = Array.IndexOf(names, raw[5..]);
        return (new LabelSet(names), map);
    }

    private static LabelSet? ReadClassesFile(string path)
    {
        if (!File.Exists(path)) return null;
        var lines = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0) throw new BadInputException(path, "lists no classes.");
        // "name<TAB>id" lines keep class ids; plain lines are names only.
        var names = lines.Select(l => l.Split('\t')[0]).ToArray();
        var ids = lines.Select(l => l.Contains('\t') ? l.Split('\t')[1] : l.Split('\t')[0]).ToArray();
        return new LabelSet(names, ids);
    }
}

/// <summary>
/// Writes an <see cref="ImageSet"/> as WebDataset shards: members "{index:D8}.png" (or .jpg), ".cls" (class index)
/// and ".json" ({"id", "label", "class"}); a <c>classes.txt</c> beside the shards keeps the label set. Shards are
/// deterministic (fixed time stamps, owner and mode) and each is written atomically.
/// </summary>
public static class WebDatasetWriter
{
    private static readonly DateTimeOffset FixedTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <returns>The shard paths written, in order; read them back with the pattern "{folder}/{prefix}-{000000..N}.tar".</returns>
    public static IReadOnlyList<string> Write(ImageSet set, string folder, string prefix = "shard", int samplesPerShard = 10_000,
                                              SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 95)
    {
        if (samplesPerShard <= 0) throw new SelectBenchException($"Samples per shard must be positive (got {samplesPerShard}).");
        if (set.Channels is not (1 or 3)) throw new SelectBenchException($"Only 1- or 3-channel images can be written as {format}; this set has {set.Channels}.");
        var ext = format switch
        {
            SKEncodedImageFormat.Png => "png",
            SKEncodedImageFormat.Jpeg => "jpg",
            SKEncodedImageFormat.Webp => "webp",
            _ => throw new SelectBenchException($"Image format {format} is not written to shards; use png, jpeg or webp."),
        };
        Directory.CreateDirectory(folder);
        WriteClasses(set.LabelSet, folder);
        var paths = new List<string>();
        int shards = Math.Max(1, (set.Count + samplesPerShard - 1) / samplesPerShard);
        for (int s = 0; s < shards; s++)
        {
            var path = Path.Combine(folder, $"{prefix}-{s:D6}.tar");
            int start = s * samplesPerShard, end = Math.Min(set.Count, start + samplesPerShard);
            var encoded = new byte[end - start][];
            Parallel.For(start, end, i => encoded[i - start] = ImageCodec.Encode(set.Image(i), set.Channels, set.Height, set.Width, format, quality));
            AtomicFile.Write(path, stream =>
            {
                using var writer = new TarWriter(stream, TarEntryFormat.Ustar, leaveOpen: true);
                for (int i = start; i < end; i++)
                {
                    var key = i.ToString("D8", CultureInfo.InvariantCulture);
                    var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
                    {
                        ["id"] = set.Ids[i],
                        ["label"] = set.Labels[i],
                        ["class"] = set.LabelSet.Names[set.Labels[i]],
                    });
                    Add(writer, $"{key}.{ext}", encoded[i - start]);
                    Add(writer, $"{key}.cls", Encoding.UTF8.GetBytes(set.Labels[i].ToString(CultureInfo.InvariantCulture)));
                    Add(writer, $"{key}.json", json);
                }
            });
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>
    /// Writes one shard atomically from members given in order (name, bytes), with the same fixed time stamp, owner
    /// and mode as <see cref="Write"/>; a streaming writer of many shards calls it once per shard.
    /// </summary>
    public static void WriteShard(string path, IEnumerable<(string Name, byte[] Data)> members) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new TarWriter(stream, TarEntryFormat.Ustar, leaveOpen: true);
            foreach (var (name, data) in members) Add(writer, name, data);
        });

    /// <summary>Writes <c>classes.txt</c> (line i names class i, "name&lt;TAB&gt;id" where they differ) into <paramref name="folder"/>.</summary>
    public static void WriteClasses(LabelSet labels, string folder) =>
        AtomicFile.WriteAllText(Path.Combine(folder, WebDatasetReader.ClassesFile),
            string.Join('\n', labels.Names.Select((n, i) => n == labels.Ids[i] ? n : $"{n}\t{labels.Ids[i]}")) + "\n");

    private static void Add(TarWriter writer, string name, byte[] data)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(data, writable: false),
            ModificationTime = FixedTime,
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            Uid = 0,
            Gid = 0,
        };
        writer.WriteEntry(entry);
    }
}
