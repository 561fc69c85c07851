/// The hardware abstraction layer: memory and kernels behind one protocol.
///
/// Everything above this seam (tensor ops, autodiff, layers) calls these methods and never
/// knows which backend runs. Kernels take raw pointers to row-major, contiguous buffers
/// unless a parameter says otherwise (strides are in elements). Two backends implement it:
/// ``ReferenceBackend`` (plain, serial Swift loops that every kernel is tested against) and
/// ``CPUBackend`` (OpenBLAS for matrix products and convolutions, all cores for the rest).
/// A GPU backend would plug in here.
public protocol Backend: AnyObject, Sendable {
    /// A short name for logs and test output (`"reference"`, `"cpu"`).
    var name: String { get }

    // MARK: Memory
    /// Returns `byteCount` bytes of uninitialised memory, aligned to 64 bytes.
    func allocate(byteCount: Int) -> UnsafeMutableRawPointer
    /// Takes back memory from ``allocate(byteCount:)``.
    func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int)

    // MARK: Element-wise
    /// `y[i] = value` for `count` elements.
    func fill(_ y: UnsafeMutablePointer<Float>, count: Int, value: Float)
    /// Copies a strided view of `elementSize`-byte elements into contiguous `y`:
    /// `y[i0,…,ik] = x[offset + Σ ij·strides[j]]` for every index of `shape`.
    func copyStrided(_ x: UnsafeRawPointer, strides: [Int], shape: [Int], elementSize: Int,
                     into y: UnsafeMutableRawPointer)
    /// The inverse of ``copyStrided(_:strides:shape:elementSize:into:)``: writes contiguous `x`
    /// into the strided positions of `y` (`y[Σ ij·strides[j]] = x[i0,…,ik]`).
    func copyIntoStrided(_ x: UnsafeRawPointer, _ y: UnsafeMutableRawPointer, strides: [Int], shape: [Int],
                         elementSize: Int)
    /// `y[i] = op(x[i])`.
    func unary(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int)
    /// `dx[i] = dy[i] · op′(x[i])`, where `y = op(x)` is given for ops whose derivative uses it.
    func unaryBackward(_ op: UnaryOp, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
                       dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int)
    /// `out = op(a, b)` over `shape`, reading `a` and `b` with (broadcast) strides; `out` is contiguous.
    func binary(_ op: BinaryOp, _ a: UnsafePointer<Float>, aStrides: [Int],
                _ b: UnsafePointer<Float>, bStrides: [Int],
                _ out: UnsafeMutablePointer<Float>, shape: [Int])
    /// `out = cond ≠ 0 ? a : b` over `shape`, with broadcast strides for all three inputs.
    func select(_ cond: UnsafePointer<Float>, condStrides: [Int],
                _ a: UnsafePointer<Float>, aStrides: [Int],
                _ b: UnsafePointer<Float>, bStrides: [Int],
                _ out: UnsafeMutablePointer<Float>, shape: [Int])
    /// Converts `count` elements between element types.
    func convert(_ x: UnsafeRawPointer, from: DType, _ y: UnsafeMutableRawPointer, to: DType, count: Int)

    // MARK: Reductions (x viewed as [outer, reduced, inner])
    /// `out[o, i] = op_k x[o, k, i]`.
    func reduce(_ op: ReduceOp, _ x: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                _ out: UnsafeMutablePointer<Float>)
    /// `out[o, i] = argmax_k x[o, k, i]` (or argmin); the first index wins ties.
    func argReduce(max: Bool, _ x: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                   _ out: UnsafeMutablePointer<Int32>)
    /// Softmax (or log-softmax) along the middle axis of `[outer, reduced, inner]`.
    func softmax(log: Bool, _ x: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                 _ y: UnsafeMutablePointer<Float>)
    /// Gradient of ``softmax(log:_:outer:reduced:inner:_:)`` given its output `y`.
    func softmaxBackward(log: Bool, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         outer: Int, reduced: Int, inner: Int, dx: UnsafeMutablePointer<Float>)

    // MARK: Normalisation (x viewed as [rows, cols], normalised over cols)
    /// Layer normalisation: `y = (x − mean) / √(var + ε) · gamma + beta` per row, with the
    /// biased variance; `gamma` and `beta` (`[cols]`) are optional. Also writes each row's
    /// `mean` and `rstd = 1 / √(var + ε)` (`[rows]`) for the backward pass.
    func layerNorm(_ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                   rows: Int, cols: Int, epsilon: Float, _ y: UnsafeMutablePointer<Float>,
                   mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>)
    /// Gradient of ``layerNorm(_:gamma:beta:rows:cols:epsilon:_:mean:rstd:)`` given its saved
    /// `mean` and `rstd`: overwrites `dx` and adds to `dgamma` and `dbeta`, each when non-nil.
    func layerNormBackward(_ x: UnsafePointer<Float>, dy: UnsafePointer<Float>, gamma: UnsafePointer<Float>?,
                           mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows: Int, cols: Int,
                           dx: UnsafeMutablePointer<Float>?, dgamma: UnsafeMutablePointer<Float>?,
                           dbeta: UnsafeMutablePointer<Float>?)

    // MARK: Linear algebra
    /// `C = alpha · op(A) · op(B) + beta · C` for row-major matrices (BLAS sgemm).
    func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
              _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
              beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int)

    // MARK: Attention
    /// Multi-head scaled dot-product attention (see ``AttentionParameters`` for the layouts):
    /// `weights = softmax(scale · q · kᵀ) · keep` per (batch, head), the softmax taken over the
    /// keys whose `keep` entry is non-zero (a row with none gets zero weights), and
    /// `output = (weights ⊙ dropout) · v`. `keep` is read through `p.maskStrides`; `dropout`
    /// (optional, `[batch, heads, tq, tk]`) holds each weight's multiplier (0 or `1 / (1 − p)`).
    func attention(_ p: AttentionParameters, query: UnsafePointer<Float>, key: UnsafePointer<Float>,
                   value: UnsafePointer<Float>, keep: UnsafePointer<Float>?, dropout: UnsafePointer<Float>?,
                   weights: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>)
    /// Gradient of ``attention(_:query:key:value:keep:dropout:weights:_:)`` given its saved
    /// `weights`: overwrites `dQuery`, `dKey` and `dValue`, laid out as the inputs (the
    /// positions inside the row strides that belong to no head are left untouched).
    func attentionBackward(_ p: AttentionParameters, query: UnsafePointer<Float>, key: UnsafePointer<Float>,
                           value: UnsafePointer<Float>, dropout: UnsafePointer<Float>?, weights: UnsafePointer<Float>,
                           dy: UnsafePointer<Float>, dQuery: UnsafeMutablePointer<Float>,
                           dKey: UnsafeMutablePointer<Float>, dValue: UnsafeMutablePointer<Float>)

    // MARK: Convolution and pooling (NCHW)
    /// `y = conv2d(x, w)`; x is [N, C, H, W], w is [O, C/groups, KH, KW], y is [N, O, OH, OW].
    func conv2d(_ p: Conv2DParameters, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                _ y: UnsafeMutablePointer<Float>)
    /// `dx = ∂conv2d/∂x · dy` (overwrites dx). Also the forward pass of a transposed convolution.
    func conv2dBackwardData(_ p: Conv2DParameters, _ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                            _ dx: UnsafeMutablePointer<Float>)
    /// `dw = ∂conv2d/∂w · dy` (overwrites dw).
    func conv2dBackwardFilter(_ p: Conv2DParameters, _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                              _ dw: UnsafeMutablePointer<Float>)
    /// Max or average pooling over windows; for max, `indices` receives each output's
    /// flat position within its input plane.
    func pool2d(_ p: Pool2DParameters, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                indices: UnsafeMutablePointer<Int32>?)
    /// Gradient of ``pool2d(_:_:_:indices:)`` (overwrites dx).
    func pool2dBackward(_ p: Pool2DParameters, _ dy: UnsafePointer<Float>, indices: UnsafePointer<Int32>?,
                        _ dx: UnsafeMutablePointer<Float>)

    // MARK: Convolution and pooling (NHWC, channels-last)
    /// `y = conv2d(x, w) + bias`, then `max(y, 0)` when `p.fusedReLU`, then 2×2 max pooling with
    /// stride 2 when `p.fusedMaxPool`; x is [N, H, W, C], w is [O, C/groups, KH, KW] (the NCHW
    /// weight layout), y is [N, OH, OW, O] (pooled: [N, OH/2, OW/2, O]); `bias` ([O]) is optional.
    func conv2dNHWC(_ p: Conv2DParameters, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                    bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>)
    /// `dx = ∂conv2dNHWC/∂x · dy` (overwrites dx, [N, H, W, C]).
    func conv2dNHWCBackwardData(_ p: Conv2DParameters, _ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                _ dx: UnsafeMutablePointer<Float>)
    /// `dw = ∂conv2dNHWC/∂w · dy` (overwrites dw, [O, C/groups, KH, KW]).
    func conv2dNHWCBackwardFilter(_ p: Conv2DParameters, _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                  _ dw: UnsafeMutablePointer<Float>)
    /// Max or average pooling over [N, H, W, C] (`p.planes` is N); for max, `indices`
    /// ([N, OH, OW, C]) receives each output's flat position `ih · W + iw` within its image.
    func pool2dNHWC(_ p: Pool2DParameters, channels: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                    indices: UnsafeMutablePointer<Int32>?)
    /// Gradient of ``pool2dNHWC(_:channels:_:_:indices:)`` (overwrites dx).
    func pool2dNHWCBackward(_ p: Pool2DParameters, channels: Int, _ dy: UnsafePointer<Float>,
                            indices: UnsafePointer<Int32>?, _ dx: UnsafeMutablePointer<Float>)

    // MARK: Optimizers
    /// One Adam/AdamW update of `count` elements in place: parameter, first moment `m` and
    /// second moment `v` (both zero before the first step), as `torch.optim.Adam(W)`.
    func adamUpdate(_ p: AdamParameters, parameter: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
                    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int)

    // MARK: Indexing (x viewed as [outer, axis, inner])
    /// `out[o, j, i] = x[o, index[j], i]` for `count` indices (index-select / embedding lookup).
    func indexSelect(_ x: UnsafeRawPointer, outer: Int, axis: Int, inner: Int, elementSize: Int,
                     index: UnsafePointer<Int32>, count: Int, _ out: UnsafeMutableRawPointer)
    /// `out[o, index[j], i] += src[o, j, i]` (the gradient of index-select).
    func indexAdd(_ src: UnsafePointer<Float>, outer: Int, axis: Int, inner: Int,
                  index: UnsafePointer<Int32>, count: Int, _ out: UnsafeMutablePointer<Float>)
    /// `out[o, j, i] = x[o, index[o, j, i], i]` (torch.gather); x has `axis` rows, index `count`.
    func gather(_ x: UnsafePointer<Float>, outer: Int, axis: Int, inner: Int,
                index: UnsafePointer<Int32>, count: Int, _ out: UnsafeMutablePointer<Float>)
    /// `out[o, index[o, j, i], i] += src[o, j, i]` (torch.scatter_add).
    func scatterAdd(_ src: UnsafePointer<Float>, outer: Int, axis: Int, inner: Int,
                    index: UnsafePointer<Int32>, count: Int, _ out: UnsafeMutablePointer<Float>)
}
