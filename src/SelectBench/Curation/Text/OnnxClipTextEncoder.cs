using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;
using SelectBench.Common;
using SelectBench.Encoders;

namespace SelectBench.Curation.Text;

/// <param name="InputIdsName">Name of the token-id input (int64 [batch, context]).</param>
/// <param name="AttentionMaskName">Name of the attention-mask input, or null when the model has none.</param>
/// <param name="OutputName">Name of the output: a pooled [batch, dim] embedding (e.g. Hugging Face's
/// "text_embeds"), or a [batch, context, dim] sequence from which the end-of-text position is taken.</param>
/// <param name="ContextLength">Tokens per text, CLIP uses 77.</param>
public sealed record ClipTextOptions(
    string InputIdsName = "input_ids",
    string? AttentionMaskName = "attention_mask",
    string OutputName = "text_embeds",
    int ContextLength = 77);

/// <summary>
/// A CLIP-style text tower exported to ONNX, tokenised with Microsoft.ML.Tokenizers' BPE using CLIP's
/// vocab.json and merges.txt: lower-cased text, CLIP's pre-tokenisation regex, "&lt;/w&gt;" end-of-word
/// suffix, wrapped in &lt;|startoftext|&gt; ... &lt;|endoftext|&gt; and padded to the context length (as in
/// openai/CLIP clip/simple_tokenizer.py). No CLIP model ships with SelectBench or can be downloaded at run
/// time: the user supplies the three files.
/// </summary>
public sealed class OnnxClipTextEncoder : ITextEncoder, IDisposable
{
    private const string StartOfText = "<|startoftext|>";
    private const string EndOfText = "<|endoftext|>";
    // openai/CLIP simple_tokenizer.py pattern (with \p{L} / \p{N} for letters and digits).
    private static readonly Regex ClipPattern = new(
        @"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+",
        RegexOptions.IgnoreCase | RegexOptions.Compiled);

    private readonly InferenceSession _session;
    private readonly BpeTokenizer _tokenizer;
    private readonly ClipTextOptions _options;
    private readonly int _start, _end;

    public string Name { get; }
    public int Dimension { get; }

    public OnnxClipTextEncoder(string modelPath, string vocabPath, string mergesPath, ClipTextOptions? options = null)
    {
        _options = options ?? new ClipTextOptions();
        foreach (var (path, what) in new[] { (modelPath, "ONNX text model"), (vocabPath, "CLIP vocab.json"), (mergesPath, "CLIP merges.txt") })
            if (!File.Exists(path))
                throw new BadInputException(path, $"the {what} does not exist. Export a CLIP text tower to ONNX and give its files.");
        SettingRules.Positive("text_encoder", "context_length", _options.ContextLength);
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
        try
        {
            _session = new InferenceSession(modelPath);
        }
        catch (OnnxRuntimeException e)
        {
            throw new BadInputException(modelPath, $"ONNX Runtime cannot load the text model ({e.Message}).", e);
        }
        if (!_session.InputMetadata.ContainsKey(_options.InputIdsName))
            throw new BadInputException(modelPath, $"the model has no input '{_options.InputIdsName}'; its inputs are {string.Join(", ", _session.InputMetadata.Keys)}. Set input_ids_name.");
        if (!_session.OutputMetadata.TryGetValue(_options.OutputName, out var output))
            throw new BadInputException(modelPath, $"the model has no output '{_options.OutputName}'; its outputs are {string.Join(", ", _session.OutputMetadata.Keys)}. Set output_name.");
        Dimension = output.Dimensions[^1];
        if (Dimension <= 0) throw new BadInputException(modelPath, $"output '{_options.OutputName}' has no fixed embedding dimension.");
        Name = $"onnx-clip-text:{Path.GetFileName(modelPath)}";
    }

    /// <summary>Token ids: start, BPE tokens (truncated), end, zero padding. Also returns the end position.</summary>
    public (long[] Ids, int EndPosition) Tokenize(string text)
    {
        var cleaned = Regex.Replace(text.Trim(), @"\s+", " ");
        var body = _tokenizer.EncodeToIds(cleaned, considerPreTokenization: true, considerNormalization: true);
        int room = _options.ContextLength - 2;
        var ids = new long[_options.ContextLength];
        ids[0] = _start;
        int n = Math.Min(room, body.Count);
        for (int i = 0; i < n; i++) ids[1 + i] = body[i];
        ids[1 + n] = _end;
        return (ids, 1 + n);
    }

    public Embeddings Encode(IReadOnlyList<string> texts)
    {
        int t = _options.ContextLength;
        var ids = new long[texts.Count * t];
        var mask = new long[texts.Count * t];
        var ends = new int[texts.Count];
        for (int b = 0; b < texts.Count; b++)
        {
            var (row, end) = Tokenize(texts[b]);
            row.CopyTo(ids, b * t);
            for (int i = 0; i <= end; i++) mask[b * t + i] = 1;
            ends[b] = end;
        }
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor(_options.InputIdsName, new DenseTensor<long>(ids, [texts.Count, t])),
        };
        if (_options.AttentionMaskName is { } maskName && _session.InputMetadata.ContainsKey(maskName))
            inputs.Add(NamedOnnxValue.CreateFromTensor(maskName, new DenseTensor<long>(mask, [texts.Count, t])));
        using var results = _session.Run(inputs, [_options.OutputName]);
        var tensor = results.First().AsTensor<float>();
        var data = new float[texts.Count * Dimension];
        if (tensor.Rank == 2)
        {
            for (int b = 0; b < texts.Count; b++)
                for (int d = 0; d < Dimension; d++) data[b * Dimension + d] = tensor[b, d];
        }
        else if (tensor.Rank == 3)
        {
            // Sequence output: CLIP pools the hidden state at the end-of-text token.
            for (int b = 0; b < texts.Count; b++)
                for (int d = 0; d < Dimension; d++) data[b * Dimension + d] = tensor[b, ends[b], d];
        }
        else throw new SelectBenchException($"{Name}: output '{_options.OutputName}' has rank {tensor.Rank}; expected [batch, dim] or [batch, tokens, dim].");
        return new Embeddings(data, texts.Count, Dimension);
    }

    public void Dispose() => _session.Dispose();
}
