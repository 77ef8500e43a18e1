using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using SelectBench.Common;

namespace SelectBench.Encoders.Text;

/// <summary>
/// CLIP's text tokenisation with Microsoft.ML.Tokenizers' BPE on CLIP's vocab.json and merges.txt:
/// whitespace collapsed, lower-cased, CLIP's pre-tokenisation regex, "&lt;/w&gt;" end-of-word suffix,
/// wrapped in &lt;|startoftext|&gt; ... &lt;|endoftext|&gt;, truncated and zero-padded to the context length
/// (as openai/CLIP clip/simple_tokenizer.py and clip.tokenize do).
/// </summary>
public sealed class ClipTokenizer
{
    private const string StartOfText = "<|startoftext|>";
    private const string EndOfText = "<|endoftext|>";
    // openai/CLIP simple_tokenizer.py pattern (with \p{L} / \p{N} for letters and digits).
    private static readonly Regex ClipPattern = new(
        @"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+",
        RegexOptions.IgnoreCase | RegexOptions.Compiled);

    private readonly BpeTokenizer _tokenizer;
    private readonly int _start, _end;

    public int ContextLength { get; }

    public ClipTokenizer(string vocabPath, string mergesPath, int contextLength = 77)
    {
        foreach (var (path, what) in new[] { (vocabPath, "CLIP vocab.json"), (mergesPath, "CLIP merges.txt") })
            if (!File.Exists(path)) throw new BadInputException(path, $"the {what} does not exist.");
        if (contextLength < 3) throw new SelectBenchException($"text_encoder.context_length: {contextLength} is not allowed; give at least 3.");
        ContextLength = contextLength;
        try
        {
            using var vocab = File.OpenRead(vocabPath);
            using var merges = File.OpenRead(mergesPath);
            _tokenizer = BpeTokenizer.Create(vocab, merges, new RegexPreTokenizer(ClipPattern, null),
                new LowerCaseNormalizer(), specialTokens: null, unknownToken: null,
                continuingSubwordPrefix: null, endOfWordSuffix: "</w>", fuseUnknownTokens: false);
        }
        catch (Exception e) when (e is not SelectBenchException)
        {
            throw new BadInputException(vocabPath, $"cannot read the CLIP vocabulary and merges ({e.Message}). Give CLIP's vocab.json and merges.txt.", e);
        }
        var specials = Json.Read<Dictionary<string, int>>(vocabPath);
        _start = specials.TryGetValue(StartOfText, out var start) ? start : throw new BadInputException(vocabPath, $"the vocabulary has no {StartOfText} token; is it a CLIP vocabulary?");
        _end = specials.TryGetValue(EndOfText, out var end) ? end : throw new BadInputException(vocabPath, $"the vocabulary has no {EndOfText} token; is it a CLIP vocabulary?");
    }

    /// <summary>Token ids: start, BPE tokens (truncated), end, zero padding; and the end token's position.</summary>
    public (long[] Ids, int EndPosition) Tokenize(string text)
    {
        var cleaned = Regex.Replace(text.Trim(), @"\s+", " ");
        var body = _tokenizer.EncodeToIds(cleaned, considerPreTokenization: true, considerNormalization: true);
        var ids = new long[ContextLength];
        ids[0] = _start;
        int n = Math.Min(ContextLength - 2, body.Count);
        for (int i = 0; i < n; i++) ids[1 + i] = body[i];
        ids[1 + n] = _end;
        return (ids, 1 + n);
    }
}
