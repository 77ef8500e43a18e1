using System.Text;

namespace SelectBench.Common;

/// <summary>
/// The ids that go with the rows of an exported .npy (docs/benchmark.md#outputs): a UTF-8 text file, one id per
/// line, line i naming row i. numpy reads it with <c>open(path).read().splitlines()</c>. A line break inside an id
/// (possible in a file name) is written as the two characters <c>\n</c> or <c>\r</c> and a backslash as <c>\\</c>.
/// </summary>
public static class IdsFile
{
    public static void Write(string path, IReadOnlyList<string> ids)
    {
        var text = new StringBuilder();
        foreach (var id in ids)
            text.Append(id.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\r", "\\r")).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    public static string[] Read(string path)
    {
        var lines = File.ReadAllText(path).Split('\n');
        return lines[..^1].Select(Unescape).ToArray();
    }

    private static string Unescape(string line)
    {
        if (!line.Contains('\\')) return line;
        var id = new StringBuilder(line.Length);
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] != '\\' || i + 1 == line.Length) { id.Append(line[i]); continue; }
            id.Append(line[++i] switch { 'n' => '\n', 'r' => '\r', var c => c });
        }
        return id.ToString();
    }
}
