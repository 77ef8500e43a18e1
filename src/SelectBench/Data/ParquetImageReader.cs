using System.Globalization;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// Reads Hugging Face-style parquet files: an image column that is either HF's <c>Image</c> feature (a struct
/// {bytes: binary, path: string}) or a plain binary column of encoded image bytes, and a label column holding a
/// class index (int32/int64) or a class name (string). Column names come from <see cref="ParquetColumns"/>.
/// Class names come from, in order: <see cref="DataLoadOptions.LabelSet"/>; the HF <c>ClassLabel</c> names stored
/// in the file's "huggingface" key-value metadata (info.features.{label}.names, as written by the datasets
/// library); integer labels as classes 0..max; string labels as their sorted distinct values.
/// Ids are "{file name}/{row}" with the row counted over the whole file.
/// </summary>
[Registered("parquet", Description = "Hugging Face-style .parquet: one file, or a folder of them (and its data/); with a split, the files whose name starts with it")]
public sealed class ParquetImageReader : IImageSetReader
{
    private const int BatchSize = 256;

    public bool CanRead(SourceSpec spec) =>
        spec.IsFile ? spec.FileName.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)
            : spec.IsFolder && FilesIn(spec.Path).Length > 0;

    public DataLoadResult Read(SourceSpec spec, DataLoadOptions options, CancellationToken token)
    {
        string[] files;
        if (spec.IsFile)
        {
            if (spec.Split != null) throw new SelectBenchException($"{spec.Path} is one parquet file; give the folder to choose split '{spec.Split}'.");
            files = [spec.Path];
        }
        else
        {
            files = FilesIn(spec.Path);
            if (spec.Split != null)
            {
                files = files.Where(f => Path.GetFileName(f).StartsWith(spec.Split, StringComparison.OrdinalIgnoreCase)).ToArray();
                if (files.Length == 0) throw new SelectBenchException($"{spec.Path}: no parquet file whose name starts with '{spec.Split}'.");
            }
        }
        token.ThrowIfCancellationRequested();
        return DataSources.Cached(new ResolvedSource($"parquet-{Path.GetFileNameWithoutExtension(files[0])}", $"parquet {spec.Path}", files,
            o => Read(files, o, token)), options);
    }

    /// <summary>The .parquet files of a folder and of its data/ sub-folder (the Hugging Face Hub layout), sorted.</summary>
    private static string[] FilesIn(string folder)
    {
        var data = Path.Combine(folder, "data");
        return Directory.GetFiles(folder, "*.parquet").Concat(Directory.Exists(data) ? Directory.GetFiles(data, "*.parquet") : [])
            .Order(StringComparer.Ordinal).ToArray();
    }

    // Parquet.Net 6 has only asynchronous reads (CreateAsync, ReadAsync), and every caller of a data source is
    // synchronous, so this entry point blocks until the reads finish. SelectBench runs without a synchronisation
    // context, so the continuations run on the thread pool and the wait cannot deadlock.
    public static (ImageSet Set, IReadOnlyList<SkippedInput> Skipped) Read(IReadOnlyList<string> files, DataLoadOptions options,
                                                                           CancellationToken token = default) =>
        ReadAsync(files, options, token).GetAwaiter().GetResult();

    /// <summary>
    /// Whether an exception from Parquet.Net means a damaged file. It reports damage with many types (ParquetException,
    /// ThriftProtocolException, IndexOutOfRangeException, even NullReferenceException: found by FuzzTests), so every
    /// exception but ours and a cancellation counts.
    /// </summary>
    private static bool IsDamage(Exception e) => e is not (SelectBenchException or OperationCanceledException or OutOfMemoryException);

    private static async Task<(ImageSet, IReadOnlyList<SkippedInput>)> ReadAsync(IReadOnlyList<string> files, DataLoadOptions options, CancellationToken token)
    {
        if (files.Count == 0) throw new SelectBenchException("No parquet files given.");
        var columns = options.EffectiveParquet;
        var log = new BadInputLog(options);
        var builder = new ImageSetBuilder(options, log);
        LabelSet? labelSet = options.LabelSet;
        var provisional = new Dictionary<string, int>(StringComparer.Ordinal);
        bool? stringLabels = null;
        foreach (var file in files)
        {
            ParquetReader? opened = null;
            DataField[] fields;
            try
            {
                opened = await ParquetReader.CreateAsync(file, cancellationToken: token);
                fields = opened.Schema.GetDataFields(); // the schema is read lazily: a damaged one fails here
            }
            catch (Exception e) when (IsDamage(e))
            {
                if (opened is not null) await opened.DisposeAsync();
                throw new BadInputException(file, $"is not a readable parquet file ({e.Message.ReplaceLineEndings(" ")}).", e);
            }
            await using (var reader = opened)
            {
                var imageField = FindImageField(fields, columns.ImageColumn, file);
                var labelField = fields.FirstOrDefault(f => f.Path.ToList().SequenceEqual([columns.LabelColumn]))
                    ?? throw new SelectBenchException($"{file}: no label column '{columns.LabelColumn}' (columns: {string.Join(", ", fields.Select(f => f.Path.ToString()))}); set the label column name.");
                bool isString = labelField.ClrType == typeof(string) || labelField.ClrType == typeof(ReadOnlyMemory<char>);
                if (!isString && labelField.ClrType != typeof(int) && labelField.ClrType != typeof(long) && labelField.ClrType != typeof(short) && labelField.ClrType != typeof(byte))
                    throw new SelectBenchException($"{file}: label column '{columns.LabelColumn}' has type {labelField.ClrType}; expected an integer class index or a string class name.");
                if (stringLabels != null && stringLabels != isString)
                    throw new SelectBenchException($"{file}: label column '{columns.LabelColumn}' is {(isString ? "text" : "integer")} but earlier files had {(isString ? "integers" : "text")}.");
                stringLabels = isString;
                labelSet ??= HuggingFaceClassNames(reader.CustomMetadata, columns.LabelColumn);
                long row0 = 0;
                var name = Path.GetFileName(file);
                for (int g = 0; g < reader.RowGroupCount; g++)
                {
                    byte[]?[] images;
                    string?[] labels;
                    ParquetRowGroupReader group;
                    try
                    {
                        group = reader.OpenRowGroupReader(g);
                    }
                    catch (Exception e) when (IsDamage(e))
                    {
                        throw new BadInputException(file, $"row group {g} cannot be opened ({e.Message.ReplaceLineEndings(" ")}); the file is damaged.", e);
                    }
                    using (group)
                    {
                        // Every row holds an encoded image of several bytes, so a damaged footer claiming more rows than
                        // the file has bytes is refused before its arrays are allocated.
                        if (group.RowCount < 0 || group.RowCount > new FileInfo(file).Length)
                            throw new BadInputException(file, $"row group {g} claims {group.RowCount} rows, more than the file's {new FileInfo(file).Length} bytes can hold; the file is damaged.");
                        int rows = (int)group.RowCount;
                        images = new byte[rows][];
                        try
                        {
                            await group.ReadAsync(imageField, images.AsMemory()!, null, token);
                            labels = await ReadLabels(group, labelField, rows, token);
                        }
                        catch (Exception e) when (IsDamage(e))
                        {
                            log.Report($"{file}[row group {g}]", $"could not be read ({e.Message.ReplaceLineEndings(" ")}).", e);
                            row0 += group.RowCount;
                            continue;
                        }
                    }
                    var batch = new List<EncodedSample>(BatchSize);
                    for (int r = 0; r < images.Length; r++)
                    {
                        long row = row0 + r;
                        var item = $"{file}[{row}]";
                        var raw = labels[r];
                        if (raw == null) { log.Report(item, $"has no label (null in '{columns.LabelColumn}')."); continue; }
                        if (images[r] is not { } bytes) { log.Report(item, $"has no image bytes (null in '{columns.ImageColumn}')."); continue; }
                        int label;
                        if (labelSet != null)
                        {
                            label = isString ? labelSet.IndexOf(raw) : int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) ? index : -1;
                            if (label < 0 || label >= labelSet.Count) { log.Report(item, $"label '{raw}' is outside the label set of {labelSet.Count} classes."); continue; }
                        }
                        else if (!provisional.TryGetValue(raw, out label))
                        {
                            if (!isString && raw.StartsWith('-')) { log.Report(item, $"label {raw} is negative."); continue; }
                            if (!isString && !int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                            {
                                log.Report(item, $"label {raw} is too large for a class index.");
                                continue;
                            }
                            label = provisional.Count;
                            provisional[raw] = label;
                        }
                        batch.Add(new EncodedSample(item, $"{name}/{row}", label, () => bytes));
                        if (batch.Count == BatchSize) { builder.AddBatch(batch); batch.Clear(); }
                    }
                    if (batch.Count > 0) builder.AddBatch(batch);
                    row0 += images.Length;
                }
            }
        }
        if (labelSet == null)
        {
            var map = new int[provisional.Count];
            if (stringLabels == true)
            {
                var names = provisional.Keys.Order(StringComparer.Ordinal).ToArray();
                foreach (var (raw, p) in provisional) map[p] = Array.IndexOf(names, raw);
                labelSet = new LabelSet(names);
            }
            else
            {
                int max = provisional.Keys.Select(k => int.Parse(k, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
                foreach (var (raw, p) in provisional) map[p] = int.Parse(raw, CultureInfo.InvariantCulture);
                labelSet = LabelSet.Numbered(max + 1);
            }
            builder.Relabel(map);
        }
        return (builder.Build(labelSet, $"parquet {files[0]}{(files.Count > 1 ? $" (+{files.Count - 1} files)" : "")}"), log.Skipped);
    }

    private static DataField FindImageField(DataField[] fields, string column, string file)
    {
        // HF Image feature: struct column {bytes, path}; otherwise a binary column of that name.
        var field = fields.FirstOrDefault(f => f.Path.ToList().SequenceEqual([column, "bytes"]))
                    ?? fields.FirstOrDefault(f => f.Path.ToList().SequenceEqual([column]));
        if (field == null)
            throw new SelectBenchException($"{file}: no image column '{column}' (columns: {string.Join(", ", fields.Select(f => f.Path.ToString()))}); set the image column name.");
        if (field.ClrType != typeof(byte[]) && field.ClrType != typeof(ReadOnlyMemory<byte>))
            throw new SelectBenchException($"{file}: image column '{field.Path}' holds {field.ClrType.Name}, not encoded image bytes.");
        return field;
    }

    private static async Task<string?[]> ReadLabels(ParquetRowGroupReader group, DataField field, int rows, CancellationToken token)
    {
        var result = new string?[rows];
        if (field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>))
        {
            await group.ReadAsync(field, result.AsMemory()!, null, token);
            return result;
        }
        if (field.ClrType == typeof(long)) return await ReadNumbers<long>(group, field, rows, token, v => v.ToString(CultureInfo.InvariantCulture));
        if (field.ClrType == typeof(int)) return await ReadNumbers<int>(group, field, rows, token, v => v.ToString(CultureInfo.InvariantCulture));
        if (field.ClrType == typeof(short)) return await ReadNumbers<short>(group, field, rows, token, v => v.ToString(CultureInfo.InvariantCulture));
        return await ReadNumbers<byte>(group, field, rows, token, v => v.ToString(CultureInfo.InvariantCulture));
    }

    private static async Task<string?[]> ReadNumbers<T>(ParquetRowGroupReader group, DataField field, int rows, CancellationToken token, Func<T, string> format) where T : struct
    {
        var result = new string?[rows];
        if (field.IsNullable)
        {
            var values = new T?[rows];
            await group.ReadAsync<T>(field, values.AsMemory(), null, token);
            for (int i = 0; i < rows; i++) result[i] = values[i] is { } v ? format(v) : null;
        }
        else
        {
            var values = new T[rows];
            await group.ReadAsync<T>(field, values.AsMemory(), null, token);
            for (int i = 0; i < rows; i++) result[i] = format(values[i]);
        }
        return result;
    }

    /// <summary>ClassLabel names from HF's "huggingface" metadata JSON, or null.</summary>
    internal static LabelSet? HuggingFaceClassNames(IReadOnlyDictionary<string, string>? metadata, string labelColumn)
    {
        if (metadata == null || !metadata.TryGetValue("huggingface", out var json)) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.TryGetProperty("info", out var info) && info.TryGetProperty("features", out var features) &&
                features.TryGetProperty(labelColumn, out var label) && label.TryGetProperty("names", out var names) &&
                names.ValueKind == JsonValueKind.Array)
            {
                var list = names.EnumerateArray().Select(n => n.GetString() ?? "").ToArray();
                return list.Length > 0 ? new LabelSet(list) : null;
            }
        }
        catch (JsonException) { }
        return null;
    }
}
