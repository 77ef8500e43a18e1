using System.Globalization;
using System.Text;
using System.Text.Json;
using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Curation.Generators;

/// <summary>One row of an external generator's metadata file.</summary>
/// <param name="Row">1-based data row (CSV: after the header) or line (JSONL), for error messages.</param>
/// <param name="File">Image path relative to the metadata file's folder.</param>
/// <param name="Class">Class index in the generator's label set.</param>
/// <param name="Prompt">The prompt text used, e.g. "A photo of a sandal".</param>
/// <param name="Seed">The generation seed, when recorded.</param>
/// <param name="PromptImageId">For img2img outputs: the id of the prompt image.</param>
/// <param name="Strength">For img2img outputs: the strength used.</param>
public sealed record ExternalImageRow(int Row, string File, int Class, string Prompt, long? Seed, string? PromptImageId, double? Strength);

/// <summary>
/// A generator whose images were made elsewhere, for example by Stable Diffusion as in SELECT's SD1000 shifts.
/// It ingests a folder of images and a metadata file, <c>metadata.csv</c> or <c>metadata.jsonl</c>, whose rows
/// (CSV with a header, or one JSON object per line) have the fields
/// <c>file</c> and <c>class</c> (name, id or index) and optionally <c>prompt</c>, <c>seed</c>,
/// <c>prompt_image_id</c> and <c>strength</c>. Rows with a prompt image id are img2img outputs; the others
/// answer class prompts. Every image is decoded and checked when the folder is opened, so a bad row fails
/// early with its row number and file.
/// </summary>
public sealed class ExternalGenerator : IImageGenerator
{
    private static readonly string[] MetadataNames = ["metadata.jsonl", "metadata.csv"];
    private const double StrengthTolerance = 1e-6;

    private readonly byte[] _pixels;

    public string Name { get; }
    public LabelSet LabelSet { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public IReadOnlyList<ExternalImageRow> Rows { get; }

    private ExternalGenerator(string name, LabelSet labelSet, int channels, int height, int width, ExternalImageRow[] rows, byte[] pixels)
    {
        Name = name;
        LabelSet = labelSet;
        Channels = channels;
        Height = height;
        Width = width;
        Rows = rows;
        _pixels = pixels;
    }

    /// <summary>
    /// Ingests <paramref name="folder"/>: reads its metadata file (or <paramref name="metadataFile"/>), decodes
    /// every image to channels x height x width.
    /// </summary>
    public static ExternalGenerator Open(string folder, LabelSet labels, int channels, int height, int width,
                                         string? metadataFile = null, string name = "external")
    {
        if (!Directory.Exists(folder))
            throw new SelectBenchException($"external generator '{name}': folder {folder} does not exist.");
        metadataFile ??= MetadataNames.Select(n => Path.Combine(folder, n)).FirstOrDefault(File.Exists)
                         ?? throw new SelectBenchException($"external generator '{name}': {folder} has no {string.Join(" or ", MetadataNames)}; add one with columns file, class, prompt, seed[, prompt_image_id, strength].");
        if (!File.Exists(metadataFile)) throw new SelectBenchException($"external generator '{name}': metadata file {metadataFile} does not exist.");
        var rows = metadataFile.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
            ? ReadCsv(metadataFile, labels)
            : ReadJsonLines(metadataFile, labels);
        if (rows.Length == 0) throw new BadInputException(metadataFile, "lists no images.");
        var baseFolder = Path.GetDirectoryName(Path.GetFullPath(metadataFile))!;
        int size = channels * height * width;
        var pixels = new byte[(long)rows.Length * size];
        using var progress = new ProgressBar($"ingest '{name}'", rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            var item = $"{metadataFile} row {rows[i].Row} ({rows[i].File})";
            var image = ImageFileDecoder.Decode(Path.Combine(baseFolder, rows[i].File), channels, height, width, item);
            image.CopyTo(pixels.AsSpan(i * size, size));
            progress.Advance();
        }
        return new ExternalGenerator(name, labels, channels, height, width, rows, pixels);
    }

    public ImageSet FromClassPrompts(LabelSet labels, int[] perClassCounts, long seed)
    {
        if (perClassCounts.Length != labels.Count)
            throw new SelectBenchException($"generator '{Name}': {perClassCounts.Length} per-class counts for {labels.Count} classes; give one count per class.");
        var chosen = new List<(int Row, int Label)>();
        for (int c = 0; c < labels.Count; c++)
        {
            int want = perClassCounts[c];
            if (want < 0) throw new SelectBenchException($"generator '{Name}': count {want} for class '{labels.Names[c]}' is negative.");
            if (want == 0) continue;
            int mine = MapClass(labels.Names[c], labels.Ids[c]);
            var candidates = Enumerable.Range(0, Rows.Count)
                .Where(r => Rows[r].PromptImageId == null && Rows[r].Class == mine).ToArray();
            if (candidates.Length < want)
                throw new SelectBenchException($"generator '{Name}': class '{labels.Names[c]}' has {candidates.Length} ingested class-prompt images but {want} were requested; generate more images of that class or ask for fewer.");
            // A seeded shuffle per class: the same seed picks the same images whatever other classes are asked for.
            new Random(unchecked((int)SampleSeeds.Mix(seed, c, 0))).Shuffle(candidates);
            foreach (var r in candidates.Take(want)) chosen.Add((r, c));
        }
        return Build(labels, chosen, r => $"txt2img prompt: {Rows[r].Prompt}", (_, label) => labels.Names[label]);
    }

    public ImageSet FromImagePrompts(ImageSet prompts, double strength, long seed)
    {
        if (!(strength >= 0 && strength <= 1))
            throw new SelectBenchException($"generator '{Name}': img2img strength {strength} is outside [0, 1].");
        if (prompts.Channels != Channels || prompts.Height != Height || prompts.Width != Width)
            throw new SelectBenchException($"generator '{Name}' holds {Channels}x{Height}x{Width} images but the prompts are {prompts.Channels}x{prompts.Height}x{prompts.Width}; open it with the prompts' shape.");
        var byPrompt = Enumerable.Range(0, Rows.Count).Where(r => Rows[r].PromptImageId != null)
            .GroupBy(r => Rows[r].PromptImageId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        var chosen = new List<(int Row, int Label)>();
        string strengthText = strength.ToString("0.###", CultureInfo.InvariantCulture);
        for (int i = 0; i < prompts.Count; i++)
        {
            var id = prompts.Ids[i];
            var candidates = byPrompt.GetValueOrDefault(id, [])
                .Where(r => Rows[r].Strength is not { } s || Math.Abs(s - strength) <= StrengthTolerance).ToArray();
            if (candidates.Length == 0)
                throw new SelectBenchException($"generator '{Name}': no ingested image for prompt image '{id}' at strength {strengthText}; generate it or use a strength present in the metadata.");
            int label = prompts.Labels[i];
            int mine = MapClass(prompts.LabelSet.Names[label], prompts.LabelSet.Ids[label]);
            int pick = candidates.Length == 1 ? candidates[0]
                : candidates[new Random(unchecked((int)SampleSeeds.Mix(seed, -1, i))).Next(candidates.Length)];
            if (Rows[pick].Class != mine)
                throw new BadInputException($"row {Rows[pick].Row} ({Rows[pick].File})",
                    $"class '{LabelSet.Names[Rows[pick].Class]}' but its prompt image '{id}' is labelled '{prompts.LabelSet.Names[label]}'; img2img keeps the prompt's label, so fix the metadata.");
            chosen.Add((pick, label));
        }
        return Build(prompts.LabelSet, chosen,
            r => $"img2img prompt image {Rows[r].PromptImageId} strength {(Rows[r].Strength ?? strength).ToString("0.###", CultureInfo.InvariantCulture)}: {Rows[r].Prompt}",
            (r, _) => Rows[r].PromptImageId!);
    }

    private ImageSet Build(LabelSet labels, List<(int Row, int Label)> chosen, Func<int, string> note, Func<int, int, string> query)
    {
        int size = Channels * Height * Width;
        var pixels = new byte[(long)chosen.Count * size];
        var outLabels = new int[chosen.Count];
        var ids = new string[chosen.Count];
        var provenance = new SampleProvenance[chosen.Count];
        for (int k = 0; k < chosen.Count; k++)
        {
            var (r, label) = chosen[k];
            _pixels.AsSpan(r * size, size).CopyTo(pixels.AsSpan(k * size, size));
            outLabels[k] = label;
            ids[k] = $"{Name}/{Rows[r].File}";
            // Images made by a real generator elsewhere: not a simulation.
            provenance[k] = new SampleProvenance($"generator:{Name}", Rows[r].File, QueryId: query(r, label),
                GeneratorSeed: Rows[r].Seed, Simulated: false, Note: note(r));
        }
        return new ImageSet(pixels, outLabels, labels, Channels, Height, Width, ids, provenance);
    }

    private int MapClass(string name, string id)
    {
        int m = LabelSet.IndexOf(name);
        if (m < 0) m = LabelSet.IndexOf(id);
        if (m < 0) throw new SelectBenchException($"generator '{Name}' has no images of class '{name}' (its label set: {string.Join(", ", LabelSet.Names)}).");
        return m;
    }

    private static int ResolveClass(string value, LabelSet labels, string item)
    {
        int c = labels.IndexOf(value);
        if (c >= 0) return c;
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out c) && c >= 0 && c < labels.Count) return c;
        throw new BadInputException(item, $"class '{value}' is not in the label set ({string.Join(", ", labels.Names.Take(20))}{(labels.Count > 20 ? ", ..." : "")}); use a class name, id or index 0..{labels.Count - 1}.");
    }

    private static ExternalImageRow[] ReadCsv(string path, LabelSet labels)
    {
        var lines = File.ReadAllLines(path, Encoding.UTF8);
        if (lines.Length == 0) throw new BadInputException(path, "is empty; it needs a header row: file,class,prompt,seed[,prompt_image_id,strength].");
        var header = SplitCsvLine(lines[0], $"{path} header").Select(h => h.Trim().ToLowerInvariant()).ToArray();
        int Column(string name, bool required)
        {
            int i = Array.IndexOf(header, name);
            if (i < 0 && required) throw new BadInputException(path, $"the header has no '{name}' column (found: {string.Join(", ", header)}).");
            return i;
        }
        int fileCol = Column("file", true), classCol = Column("class", true), promptCol = Column("prompt", false),
            seedCol = Column("seed", false), promptImageCol = Column("prompt_image_id", false), strengthCol = Column("strength", false);
        var rows = new List<ExternalImageRow>();
        for (int l = 1; l < lines.Length; l++)
        {
            if (string.IsNullOrWhiteSpace(lines[l])) continue;
            var item = $"{path} row {l}";
            var f = SplitCsvLine(lines[l], item);
            if (f.Count != header.Length) throw new BadInputException(item, $"has {f.Count} fields but the header has {header.Length}.");
            string? Field(int col) => col < 0 || f[col].Length == 0 ? null : f[col];
            var file = Field(fileCol) ?? throw new BadInputException(item, "has an empty 'file'.");
            var cls = Field(classCol) ?? throw new BadInputException(item, "has an empty 'class'.");
            rows.Add(new ExternalImageRow(l, file, ResolveClass(cls, labels, $"{item} ({file})"), Field(promptCol) ?? "",
                ParseLong(Field(seedCol), "seed", item), Field(promptImageCol), ParseDouble(Field(strengthCol), "strength", item)));
        }
        return rows.ToArray();
    }

    /// <summary>One CSV record (RFC 4180: quoted fields, "" inside quotes; no line breaks inside fields).</summary>
    private static List<string> SplitCsvLine(string line, string item)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else current.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(ch);
        }
        if (quoted) throw new BadInputException(item, "has an unclosed quote.");
        fields.Add(current.ToString());
        return fields;
    }

    private static ExternalImageRow[] ReadJsonLines(string path, LabelSet labels)
    {
        var rows = new List<ExternalImageRow>();
        int l = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            l++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var item = $"{path} line {l}";
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException e) { throw new BadInputException(item, $"is not valid JSON ({e.Message}).", e); }
            using (doc)
            {
                var o = doc.RootElement;
                if (o.ValueKind != JsonValueKind.Object) throw new BadInputException(item, "is not a JSON object.");
                string? Text(string key) => o.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null
                    ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()) : null;
                var file = Text("file") ?? throw new BadInputException(item, "has no 'file'.");
                var cls = Text("class") ?? throw new BadInputException(item, "has no 'class'.");
                rows.Add(new ExternalImageRow(l, file, ResolveClass(cls, labels, $"{item} ({file})"), Text("prompt") ?? "",
                    ParseLong(Text("seed"), "seed", item), Text("prompt_image_id"), ParseDouble(Text("strength"), "strength", item)));
            }
        }
        return rows.ToArray();
    }

    private static long? ParseLong(string? text, string field, string item) =>
        text == null ? null
        : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
        : throw new BadInputException(item, $"'{field}' = '{text}' is not an integer.");

    private static double? ParseDouble(string? text, string field, string item) =>
        text == null ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is >= 0 and <= 1 ? v
        : throw new BadInputException(item, $"'{field}' = '{text}' is not a number in [0, 1].");
}
