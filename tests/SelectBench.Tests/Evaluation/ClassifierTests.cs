using System.Text;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Evaluation.Classifiers;
using SelectBench.Tests.Training;
using SelectBench.Training;

namespace SelectBench.Tests.Evaluation;

public sealed class ClassifierTests
{
    // A 1 x 2 x 2 input, 3 classes: logits = flatten(x) . W + b, then Softmax.
    private static readonly float[] W =
    [
        1f, 0f, -1f,
        0f, 2f, 0f,
        0.5f, 0f, 1f,
        0f, -1f, 3f,
    ];
    private static readonly float[] B = [0.1f, -0.2f, 0.3f];

    [Fact]
    public void Onnx_classifier_matches_a_hand_computed_softmax()
    {
        var path = Path.Combine(TinyData.TempFolder("onnx"), "linear.onnx");
        File.WriteAllBytes(path, OnnxLinearModel.Build(W, B, inputs: 4, classes: 3, channels: 1, side: 2, softmax: true));
        var images = new ImageSet([0, 255, 51, 102, 255, 0, 0, 255], [0, 2], LabelSet.Numbered(3), 1, 2, 2);
        using var classifier = new OnnxClassifier(path, LabelSet.Numbered(3));
        var p = classifier.PredictProbabilities(images);
        for (int i = 0; i < 2; i++)
        {
            var x = images.Image(i).ToArray().Select(v => v / 255f).ToArray();
            var logits = Enumerable.Range(0, 3).Select(c => B[c] + Enumerable.Range(0, 4).Sum(k => x[k] * W[k * 3 + c])).ToArray();
            var z = logits.Select(l => Math.Exp(l)).ToArray();
            for (int c = 0; c < 3; c++) Assert.Equal(z[c] / z.Sum(), p[i * 3 + c], 5);
        }
    }

    [Fact]
    public void Onnx_logits_get_a_softmax_and_other_sizes_are_resized()
    {
        var path = Path.Combine(TinyData.TempFolder("onnx-logits"), "logits.onnx");
        File.WriteAllBytes(path, OnnxLinearModel.Build(W, B, 4, 3, 1, 2, softmax: false));
        using var classifier = new OnnxClassifier(path, LabelSet.Numbered(3));
        // 3-channel 4x4 images: averaged to grey and shrunk to 2x2.
        var images = new ImageSet(Enumerable.Range(0, 2 * 3 * 16).Select(i => (byte)(i * 5)).ToArray(), [0, 1], LabelSet.Numbered(3), 3, 4, 4);
        var p = classifier.PredictProbabilities(images);
        Assert.Equal(6, p.Length);
        for (int i = 0; i < 2; i++) Assert.Equal(1.0, p[(i * 3)..(i * 3 + 3)].Sum(), 5);
    }

    [Fact]
    public void Onnx_class_count_must_match_the_label_set()
    {
        var path = Path.Combine(TinyData.TempFolder("onnx-mismatch"), "linear.onnx");
        File.WriteAllBytes(path, OnnxLinearModel.Build(W, B, 4, 3, 1, 2, softmax: true));
        var e = Assert.Throws<SelectBenchException>(() => new OnnxClassifier(path, LabelSet.FashionMnist));
        Assert.Contains("outputs 3 classes but the label set has 10", e.Message);
    }

    [Fact]
    public void Checkpoint_encoder_gives_penultimate_features()
    {
        var dir = TinyData.TempFolder("encoder");
        var train = TinyData.Blocks(20, 1, size: 8);
        var recipe = new TrainingRecipe(Width: 0.25, Epochs: 1, BatchSize: 10, WarmupEpochs: 0, Threads: 1);
        var result = new Trainer(recipe, new TrainerOptions(ShowProgress: false)).Train(train, null, null, dir);
        using var encoder = new CheckpointEncoder(result.CheckpointPath);
        var embeddings = encoder.Encode(train);
        Assert.Equal(16, encoder.Dimension);
        Assert.Equal(20, embeddings.Count);
        Assert.Equal(20 * 16, embeddings.Data.Length);
        Assert.StartsWith("checkpoint:resnet20:", encoder.Name);
        // Features follow a ReLU and average pooling: non-negative.
        Assert.All(embeddings.Data, v => Assert.True(v >= 0));
    }
}

/// <summary>
/// Writes a minimal ONNX ModelProto by hand (protobuf wire format, field numbers from onnx/onnx.proto):
/// input [N, C, S, S] -> Flatten(axis 1) -> MatMul(W) -> Add(B) [-> Softmax(axis 1)]. ONNX Runtime ships
/// no model builder, so the test encodes the few messages it needs.
/// </summary>
internal static class OnnxLinearModel
{
    public static byte[] Build(float[] w, float[] b, int inputs, int classes, int channels, int side, bool softmax)
    {
        var graph = new Proto();
        graph.Message(1, Node(["input"], ["flat"], "Flatten", ("axis", 1)));
        graph.Message(1, Node(["flat", "W"], ["mm"], "MatMul"));
        graph.Message(1, Node(["mm", "B"], [softmax ? "logits" : "scores"], "Add"));
        if (softmax) graph.Message(1, Node(["logits"], ["scores"], "Softmax", ("axis", 1)));
        graph.String(2, "linear");
        graph.Message(5, Initializer("W", [inputs, classes], w));
        graph.Message(5, Initializer("B", [classes], b));
        graph.Message(11, ValueInfo("input", [-1, channels, side, side]));
        graph.Message(12, ValueInfo("scores", [-1, classes]));
        var model = new Proto();
        model.Varint(1, 8);                      // ir_version
        model.String(2, "selectbench-tests");    // producer_name
        model.Message(7, graph);                 // graph
        var opset = new Proto();
        opset.String(1, "");
        opset.Varint(2, 13);
        model.Message(8, opset);                 // opset_import
        return model.ToArray();
    }

    private static Proto Node(string[] inputs, string[] outputs, string op, (string Name, long Value)? attribute = null)
    {
        var node = new Proto();
        foreach (var i in inputs) node.String(1, i);
        foreach (var o in outputs) node.String(2, o);
        node.String(4, op);
        if (attribute is { } a)
        {
            var attr = new Proto();
            attr.String(1, a.Name);
            attr.Varint(3, a.Value);   // i
            attr.Varint(20, 2);        // type = INT
            node.Message(5, attr);
        }
        return node;
    }

    private static Proto Initializer(string name, long[] dims, float[] values)
    {
        var t = new Proto();
        foreach (var d in dims) t.Varint(1, d);
        t.Varint(2, 1);                // data_type = FLOAT
        t.String(8, name);
        var raw = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        t.Bytes(9, raw);               // raw_data, little-endian
        return t;
    }

    private static Proto ValueInfo(string name, long[] dims)
    {
        var shape = new Proto();
        foreach (var d in dims)
        {
            var dim = new Proto();
            if (d >= 0) dim.Varint(1, d); else dim.String(2, "N");
            shape.Message(1, dim);
        }
        var tensorType = new Proto();
        tensorType.Varint(1, 1);       // elem_type = FLOAT
        tensorType.Message(2, shape);
        var type = new Proto();
        type.Message(1, tensorType);
        var info = new Proto();
        info.String(1, name);
        info.Message(2, type);
        return info;
    }

    private sealed class Proto
    {
        private readonly MemoryStream buffer = new();
        public void Varint(int field, long value) { Tag(field, 0); Raw((ulong)value); }
        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));
        public void Message(int field, Proto message) => Bytes(field, message.ToArray());
        public void Bytes(int field, byte[] value) { Tag(field, 2); Raw((ulong)value.Length); buffer.Write(value); }
        public byte[] ToArray() => buffer.ToArray();
        private void Tag(int field, int wireType) => Raw((ulong)(field << 3 | wireType));
        private void Raw(ulong v)
        {
            while (v >= 0x80) { buffer.WriteByte((byte)(v | 0x80)); v >>= 7; }
            buffer.WriteByte((byte)v);
        }
    }
}
