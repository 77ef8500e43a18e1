using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SelectBench.Common;

/// <summary>
/// The one way SelectBench reads YAML (run and curation configs, training recipes). It reads the parser's
/// events itself instead of deserialising, so that what a plain deserialiser lets through is refused with an
/// error naming the file and the line (docs/data.md, "Refusals"):
/// a key given twice in one mapping (the later one would silently win), an alias bomb (a few lines of
/// anchors and aliases that expand to billions of values), nesting deeper than <see cref="MaxDepth"/>,
/// and a second document after the first (which a deserialiser silently ignores).
/// </summary>
/// <remarks>
/// The result is built from plain types: a mapping is a <see cref="Dictionary{TKey,TValue}"/> with ordinal
/// string keys (in file order), a sequence a <see cref="List{T}"/>, a scalar its text, and a plain empty,
/// '~' or 'null' scalar (or one tagged !!null) is null. These are the values YamlDotNet's untyped
/// deserialiser gave before, so configs parse to the same values (and job keys) as they did.
/// </remarks>
public static class SafeYaml
{
    /// <summary>Levels of nested mappings and sequences allowed; the deepest built-in config has 4.</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Values (scalars, mappings, sequences; each mapping key counts too) a document may hold once its
    /// aliases are expanded. The largest built-in config has a few hundred; the 9x9 billion-laughs bomb
    /// would expand to 9^9.
    /// </summary>
    public const int MaxNodes = 100_000;

    /// <summary>Parses one YAML document into plain values (see the remarks on the class); null for an empty document.</summary>
    /// <param name="where">Names the file in errors (its path, or e.g. "profile quick").</param>
    public static object? Parse(string yaml, string where)
    {
        try
        {
            return new Reader(new Parser(new StringReader(yaml)), where).ReadStream();
        }
        catch (YamlException e)
        {
            throw new SelectBenchException($"{where}: not valid YAML ({e.Message}); fix the place it names.", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this, without a position, on some damaged input (found by FuzzTests).
            throw new SelectBenchException($"{where}: not valid YAML ({e.Message}); check the file for stray or damaged characters.", e);
        }
    }

    /// <summary>Parses a YAML document that must be a mapping (or empty, which gives an empty mapping).</summary>
    public static IReadOnlyDictionary<string, object?> ParseMapping(string yaml, string where) =>
        Parse(yaml, where) switch
        {
            null => new Dictionary<string, object?>(StringComparer.Ordinal),
            IReadOnlyDictionary<string, object?> map => map,
            IReadOnlyList<object?> => throw new SelectBenchException($"{where}: not a YAML mapping (the document is a list); write 'key: value' lines."),
            _ => throw new SelectBenchException($"{where}: not a YAML mapping (the document is a single value); write 'key: value' lines."),
        };

    private sealed class Reader(IParser parser, string where)
    {
        private const string CoreTagPrefix = "tag:yaml.org,2002:";

        /// <summary>Each anchor's finished value and how many values it expands to.</summary>
        private readonly Dictionary<string, (object? Value, int Nodes)> anchors = new(StringComparer.Ordinal);

        private int nodes;

        public object? ReadStream()
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _)) return null;
            parser.Consume<DocumentStart>();
            var root = ReadNode(depth: 1, out _);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
                throw new SelectBenchException($"{where}: line {second.Start.Line}: a second YAML document begins here; a config file holds one document. Remove the '---' and what follows, or move it to a file of its own.");
            parser.Consume<StreamEnd>();
            return root;
        }

        private object? ReadNode(int depth, out int count)
        {
            var current = parser.Current ?? throw new SelectBenchException($"{where}: the YAML ends in the middle of a value; check that the file is complete.");
            if (depth > MaxDepth)
                throw new SelectBenchException($"{where}: line {current.Start.Line}: the YAML nests more than {MaxDepth} levels deep; a config needs a handful. Flatten the structure.");
            switch (current)
            {
                case AnchorAlias alias:
                    {
                        parser.MoveNext();
                        if (!anchors.TryGetValue(alias.Value.Value, out var anchored))
                            throw new SelectBenchException($"{where}: line {alias.Start.Line}: the alias *{alias.Value.Value} refers to no anchor before it; define '&{alias.Value.Value}' on an earlier value.");
                        Count(anchored.Nodes, alias.Start);
                        count = anchored.Nodes;
                        return Copy(anchored.Value);
                    }
                case Scalar scalar:
                    {
                        parser.MoveNext();
                        Count(1, scalar.Start);
                        count = 1;
                        var value = ScalarValue(scalar);
                        Remember(scalar, value, count);
                        return value;
                    }
                case SequenceStart start:
                    {
                        parser.MoveNext();
                        Count(1, start.Start);
                        count = 1;
                        CheckTag(start);
                        var list = new List<object?>();
                        while (!parser.TryConsume<SequenceEnd>(out _))
                        {
                            list.Add(ReadNode(depth + 1, out var itemCount));
                            count += itemCount;
                        }
                        Remember(start, list, count);
                        return list;
                    }
                case MappingStart start:
                    {
                        parser.MoveNext();
                        Count(1, start.Start);
                        count = 1;
                        CheckTag(start);
                        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                        var lines = new Dictionary<string, long>(StringComparer.Ordinal);
                        while (!parser.TryConsume<MappingEnd>(out _))
                        {
                            var keyStart = parser.Current!.Start;
                            var key = ReadKey(depth + 1, out var keyCount);
                            if (lines.TryGetValue(key, out var firstLine))
                                throw new SelectBenchException($"{where}: line {keyStart.Line}: the key '{key}' is given twice in one mapping (first on line {firstLine}); the later one would silently replace the earlier. Keep one of them (or rename one).");
                            lines[key] = keyStart.Line;
                            map[key] = ReadNode(depth + 1, out var valueCount);
                            count += keyCount + valueCount;
                        }
                        Remember(start, map, count);
                        return map;
                    }
                default:
                    throw new SelectBenchException($"{where}: line {current.Start.Line}: unexpected YAML ({current.GetType().Name}); write a mapping of 'key: value' lines.");
            }
        }

        /// <summary>A mapping key: a scalar (or an alias of one), read as its text; '~' or an empty key stays text, as YamlDotNet reads it.</summary>
        private string ReadKey(int depth, out int count)
        {
            if (parser.Current is Scalar scalar)
            {
                parser.MoveNext();
                Count(1, scalar.Start);
                count = 1;
                CheckTag(scalar);
                Remember(scalar, scalar.Value, count);
                return scalar.Value;
            }
            var start = parser.Current!.Start;
            return ReadNode(depth, out count) as string
                   ?? throw new SelectBenchException($"{where}: line {start.Line}: a mapping key must be a name, not a list or a mapping; write 'name: value'.");
        }

        private object? ScalarValue(Scalar scalar)
        {
            CheckTag(scalar);
            if (scalar.Tag == CoreTagPrefix + "null") return null;
            return scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL"
                ? null
                : scalar.Value;
        }

        /// <summary>Only the core schema's tags (!!str, !!int, !!map, ...) and the non-specific '!' mean anything in a config.</summary>
        private void CheckTag(NodeEvent node)
        {
            if (node.Tag.IsEmpty || node.Tag.IsNonSpecific || node.Tag.Value.StartsWith(CoreTagPrefix, StringComparison.Ordinal)) return;
            throw new SelectBenchException($"{where}: line {node.Start.Line}: the tag '{node.Tag.Value}' is not supported; remove it (configs hold plain names, numbers, lists and mappings).");
        }

        private void Remember(NodeEvent node, object? value, int count)
        {
            if (!node.Anchor.IsEmpty) anchors[node.Anchor.Value] = (value, count);
        }

        private void Count(int added, Mark at)
        {
            nodes += added;
            if (nodes > MaxNodes)
                throw new SelectBenchException($"{where}: line {at.Line}: the YAML holds more than {MaxNodes} values once its aliases (*name) are expanded; a config needs a few hundred. Write the values out instead of repeating anchors (this refuses 'billion laughs' alias bombs).");
        }

        /// <summary>An alias gets its own copy, as YamlDotNet's deserialiser plus the copy into plain dictionaries gave.</summary>
        private static object? Copy(object? value) => value switch
        {
            Dictionary<string, object?> map => map.ToDictionary(kv => kv.Key, kv => Copy(kv.Value), StringComparer.Ordinal),
            List<object?> list => list.Select(Copy).ToList(),
            _ => value,
        };
    }
}
