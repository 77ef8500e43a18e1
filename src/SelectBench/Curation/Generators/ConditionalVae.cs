using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SelectBench.Curation.Generators;

/// <summary>Network shape of the conditional VAE; saved in the generator manifest.</summary>
/// <param name="LatentDimension">Size of z.</param>
/// <param name="Width">Channels of the first conv layer (the second has twice as many).</param>
/// <param name="Hidden">Width of the fully connected layer between the conv stack and z.</param>
/// <param name="ClassEmbedding">Size of the learned class embedding concatenated in encoder and decoder.</param>
public sealed record CvaeArchitecture(int LatentDimension = 16, int Width = 32, int Hidden = 256, int ClassEmbedding = 16);

/// <summary>
/// A conditional VAE (Kingma and Welling 2014; conditional form: Sohn, Lee, Yan, "Learning Structured Output
/// Representation using Deep Conditional Generative Models", NeurIPS 2015) in the DCGAN-style layout used by
/// most small image VAEs: two stride-2 4x4 convolutions down, a class embedding concatenated to the flattened
/// features, a Gaussian posterior q(z | x, y); the decoder mirrors it with transposed convolutions and
/// outputs Bernoulli logits per pixel. Needs height and width divisible by 4.
/// </summary>
internal sealed class ConditionalVae : nn.Module
{
    private readonly Conv2d enc_conv1, enc_conv2;
    private readonly TorchSharp.Modules.Embedding enc_class, dec_class;
    private readonly Linear enc_fc, enc_mu, enc_logvar, dec_fc1, dec_fc2;
    private readonly ConvTranspose2d dec_deconv1, dec_deconv2;
    private readonly int _width, _h4, _w4;

    public int LatentDimension { get; }

    public ConditionalVae(CvaeArchitecture a, int classes, int channels, int height, int width) : base("conditional_vae")
    {
        _width = a.Width;
        _h4 = height / 4;
        _w4 = width / 4;
        LatentDimension = a.LatentDimension;
        int flat = 2 * a.Width * _h4 * _w4;
        enc_conv1 = nn.Conv2d(channels, a.Width, 4, stride: 2, padding: 1);
        enc_conv2 = nn.Conv2d(a.Width, 2 * a.Width, 4, stride: 2, padding: 1);
        enc_class = nn.Embedding(classes, a.ClassEmbedding);
        enc_fc = nn.Linear(flat + a.ClassEmbedding, a.Hidden);
        enc_mu = nn.Linear(a.Hidden, a.LatentDimension);
        enc_logvar = nn.Linear(a.Hidden, a.LatentDimension);
        dec_class = nn.Embedding(classes, a.ClassEmbedding);
        dec_fc1 = nn.Linear(a.LatentDimension + a.ClassEmbedding, a.Hidden);
        dec_fc2 = nn.Linear(a.Hidden, flat);
        dec_deconv1 = nn.ConvTranspose2d(2 * a.Width, a.Width, 4, stride: 2, padding: 1);
        dec_deconv2 = nn.ConvTranspose2d(a.Width, channels, 4, stride: 2, padding: 1);
        RegisterComponents();
    }

    /// <summary>Posterior mean and log-variance of z given images in [0, 1] and class indices.</summary>
    public (Tensor Mu, Tensor LogVar) Encode(Tensor x, Tensor y)
    {
        var h = nn.functional.relu(enc_conv1.forward(x));
        h = nn.functional.relu(enc_conv2.forward(h)).flatten(1);
        h = nn.functional.relu(enc_fc.forward(cat([h, enc_class.forward(y)], 1)));
        return (enc_mu.forward(h), enc_logvar.forward(h));
    }

    /// <summary>Per-pixel Bernoulli logits of the image decoded from z under class y.</summary>
    public Tensor DecodeLogits(Tensor z, Tensor y)
    {
        var h = nn.functional.relu(dec_fc1.forward(cat([z, dec_class.forward(y)], 1)));
        h = nn.functional.relu(dec_fc2.forward(h)).view(-1, 2 * _width, _h4, _w4);
        h = nn.functional.relu(dec_deconv1.forward(h));
        return dec_deconv2.forward(h);
    }
}
