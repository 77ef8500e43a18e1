using SelectBench.Common;
using SelectBench.Encoders.Text;

namespace SelectBench.Tests.Encoders;

/// <summary>
/// No CLIP text model can be downloaded here, so only the construction path is tested: missing files and a
/// file ONNX Runtime cannot load are errors naming the file.
/// </summary>
public class ClipTextEncoderTests
{
    [Fact]
    public void MissingFilesAreNamed()
    {
        var e = Assert.Throws<BadInputException>(() => new OnnxClipTextEncoder("/nonexistent/text.onnx", "/nonexistent/vocab.json", "/nonexistent/merges.txt"));
        Assert.Equal("/nonexistent/text.onnx", e.Item);
        Assert.Contains("ONNX text model", e.Message);
    }

    [Fact]
    public void AVocabularyWithoutClipSpecialTokensAndAnUnloadableModelAreErrorsNamingTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("clip-text-");
        try
        {
            string model = Path.Combine(dir.FullName, "text.onnx"), vocab = Path.Combine(dir.FullName, "vocab.json"), merges = Path.Combine(dir.FullName, "merges.txt");
            File.WriteAllText(model, "not an onnx model");
            File.WriteAllText(merges, "#version: 0.2\na b</w>\n");
            File.WriteAllText(vocab, """{ "a": 0, "b</w>": 1, "ab</w>": 2 }""");
            var e = Assert.Throws<BadInputException>(() => new OnnxClipTextEncoder(model, vocab, merges));
            Assert.Equal(vocab, e.Item);
            Assert.Contains("<|startoftext|>", e.Message);

            File.WriteAllText(vocab, """{ "a": 0, "b</w>": 1, "ab</w>": 2, "<|startoftext|>": 3, "<|endoftext|>": 4 }""");
            var e2 = Assert.Throws<BadInputException>(() => new OnnxClipTextEncoder(model, vocab, merges));
            Assert.Equal(model, e2.Item);
            Assert.Contains("cannot load", e2.Message);
        }
        finally { dir.Delete(recursive: true); }
    }
}

public class ClipTokenizerTests
{
    [Fact]
    public void TokenisesLowerCasedBpeBetweenStartAndEndAndPads()
    {
        var dir = Directory.CreateTempSubdirectory("clip-tok-");
        try
        {
            string vocab = Path.Combine(dir.FullName, "vocab.json"), merges = Path.Combine(dir.FullName, "merges.txt");
            // Merges "a b</w>" then "c d</w>": the words "ab" and "cd" become single tokens.
            File.WriteAllText(merges, "#version: 0.2\na b</w>\nc d</w>\n");
            File.WriteAllText(vocab, """{ "a": 0, "b</w>": 1, "ab</w>": 2, "c": 5, "d</w>": 6, "cd</w>": 7, "<|startoftext|>": 3, "<|endoftext|>": 4 }""");
            var tokenizer = new ClipTokenizer(vocab, merges, contextLength: 6);
            var (ids, end) = tokenizer.Tokenize("  AB   cd ");
            Assert.Equal([3L, 2, 7, 4, 0, 0], ids);
            Assert.Equal(3, end);
            // Truncation keeps room for the end token.
            var (longIds, longEnd) = tokenizer.Tokenize("ab ab ab ab ab ab");
            Assert.Equal([3L, 2, 2, 2, 2, 4], longIds);
            Assert.Equal(5, longEnd);
        }
        finally { dir.Delete(recursive: true); }
    }
}
