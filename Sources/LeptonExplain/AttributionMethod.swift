/// The explanation methods `lepton explain --method` offers, by their command-line names.
public enum AttributionMethod: String, CaseIterable, Sendable {
    /// |∂ score / ∂ input| (Simonyan et al.).
    case saliency
    /// Saliency averaged over noisy copies of the input (Smilkov et al.).
    case smoothgrad
    /// Path integral of gradients from a baseline (Sundararajan et al.).
    case integratedGradients = "integrated-gradients"
    /// Gradient-weighted class activation map of the last convolution (Selvaraju et al.).
    case gradcam
    /// Score drop when a sliding patch is covered (Zeiler & Fergus).
    case occlusion
    /// Attention weights of a MultiHeadAttention / TransformerEncoder layer.
    case attention
}
