using System.Text;
using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Curation.Crowd;

/// <summary>
/// Reads real crowd annotations from files: votes as CSV with header <c>image_id,worker_id,label</c>, a
/// mapping table as CSV with header <c>source_label,target_label</c> (empty or "none" target = unmapped),
/// and optionally a taxonomy file with one source label per line (otherwise the labels seen in the
/// mapping and the votes, in first-seen order).
/// </summary>
public static class CrowdFiles
{
    public static CrowdAnnotations Load(ImageSet images, string votesCsv, string mappingCsv, string? taxonomyFile = null)
    {
        var votes = ReadCsv(votesCsv, ["image_id", "worker_id", "label"])
            .Select(r => new CrowdVote(r[0], r[1], r[2])).ToList();
        var mapping = ReadCsv(mappingCsv, ["source_label", "target_label"])
            .Select(r => new SchemaMappingRow(r[0], r[1].Length == 0 ? null : r[1])).ToList();
        IReadOnlyList<string> taxonomy = taxonomyFile != null
            ? File.Exists(taxonomyFile)
                ? File.ReadAllLines(taxonomyFile, Encoding.UTF8).Select(l => l.Trim()).Where(l => l.Length > 0).ToList()
                : throw new BadInputException(taxonomyFile, "the source taxonomy file does not exist.")
            : mapping.Select(m => m.SourceLabel).Concat(votes.Select(v => v.SourceLabel)).Distinct().ToList();
        return new CrowdAnnotations(images, taxonomy, mapping, votes, Simulated: false,
            Description: $"crowd votes from {Path.GetFileName(votesCsv)}");
    }

    /// <summary>RFC 4180 CSV rows after a required header (quoted fields, doubled quotes; no newlines inside fields).</summary>
    internal static List<string[]> ReadCsv(string path, string[] header)
    {
        if (!File.Exists(path)) throw new BadInputException(path, "the file does not exist.");
        var lines = File.ReadAllLines(path, Encoding.UTF8);
        if (lines.Length == 0 || !SplitLine(lines[0]).Select(h => h.Trim()).SequenceEqual(header))
            throw new BadInputException(path, $"the first line must be the header '{string.Join(",", header)}'.");
        var rows = new List<string[]>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            var fields = SplitLine(lines[i]);
            if (fields.Length != header.Length)
                throw new BadInputException($"{path} line {i + 1}", $"has {fields.Length} fields; expected {header.Length} ({string.Join(",", header)}).");
            rows.Add(fields.Select(f => f.Trim()).ToArray());
        }
        return rows;
    }

    internal static string[] SplitLine(string line)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else sb.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(c);
        }
        fields.Add(sb.ToString());
        return fields.ToArray();
    }
}
