/// Geometry of a 2-D convolution over NCHW tensors (PyTorch's conventions).
public struct Conv2DParameters: Sendable, Equatable {
    public var batch: Int
    public var inChannels: Int
    public var height: Int
    public var width: Int
    public var outChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var padTop: Int
    public var padLeft: Int
    public var dilationHeight: Int
    public var dilationWidth: Int
    public var groups: Int
    /// Output height and width (for a transposed convolution: its input's).
    public var outHeight: Int
    public var outWidth: Int
    /// Whether a channels-last forward convolution applies a ReLU to its outputs as it writes
    /// them (``Tensor/conv2d(_:bias:stride:padding:dilation:groups:channelsLast:relu:)``).
    public var fusedReLU = false
    /// Whether a channels-last forward convolution max-pools its (ReLU'd) outputs over 2×2
    /// windows with stride 2 (floor) before writing them: y is `[N, OH/2, OW/2, O]`
    /// (``Tensor/conv2dMaxPool2x2(_:bias:stride:padding:dilation:groups:relu:)``).
    public var fusedMaxPool = false

    /// Input channels seen by one group.
    public var groupInChannels: Int { inChannels / groups }
    /// Output channels made by one group.
    public var groupOutChannels: Int { outChannels / groups }
    /// Rows of one group's im2col matrix: `C/groups · KH · KW`.
    public var patchSize: Int { groupInChannels * kernelHeight * kernelWidth }
    /// Elements of one output plane.
    public var outPlane: Int { outHeight * outWidth }
    /// Height and width of what a forward convolution writes: the pooled map with ``fusedMaxPool``.
    public var resultHeight: Int { fusedMaxPool ? outHeight / 2 : outHeight }
    public var resultWidth: Int { fusedMaxPool ? outWidth / 2 : outWidth }

    /// The 2×2, stride-2 max pooling of ``fusedMaxPool`` over `images` output maps of `rows` rows
    /// (a pair of rows from a map, or whole maps), for the channels-last pooling kernel.
    func fusedPool(images: Int, rows: Int) -> Pool2DParameters {
        Pool2DParameters(kind: .max, planes: images, height: rows, width: outWidth, kernelHeight: 2, kernelWidth: 2,
                         strideHeight: 2, strideWidth: 2)
    }

    public init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int,
                kernelHeight: Int, kernelWidth: Int, strideHeight: Int = 1, strideWidth: Int = 1,
                padTop: Int = 0, padLeft: Int = 0, padBottom: Int? = nil, padRight: Int? = nil,
                dilationHeight: Int = 1, dilationWidth: Int = 1, groups: Int = 1) {
        self.batch = batch
        self.inChannels = inChannels
        self.height = height
        self.width = width
        self.outChannels = outChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.padTop = padTop
        self.padLeft = padLeft
        self.dilationHeight = dilationHeight
        self.dilationWidth = dilationWidth
        self.groups = groups
        let spanH = dilationHeight * (kernelHeight - 1) + 1
        let spanW = dilationWidth * (kernelWidth - 1) + 1
        self.outHeight = (height + padTop + (padBottom ?? padTop) - spanH) / strideHeight + 1
        self.outWidth = (width + padLeft + (padRight ?? padLeft) - spanW) / strideWidth + 1
    }
}

/// Geometry of 2-D max or average pooling over NCHW tensors.
public struct Pool2DParameters: Sendable, Equatable {
    /// Max or average.
    public enum Kind: Sendable, Equatable { case max, average }

    public var kind: Kind
    /// `N · C`: pooling treats every channel of every sample alike.
    public var planes: Int
    public var height: Int
    public var width: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var padTop: Int
    public var padLeft: Int
    /// Average pooling divides by the full window (true, PyTorch's default) or by its valid part.
    public var countIncludePad: Bool
    public var outHeight: Int
    public var outWidth: Int

    public init(kind: Kind, planes: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                strideHeight: Int, strideWidth: Int, padTop: Int = 0, padLeft: Int = 0,
                countIncludePad: Bool = true, ceilMode: Bool = false) {
        self.kind = kind
        self.planes = planes
        self.height = height
        self.width = width
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.padTop = padTop
        self.padLeft = padLeft
        self.countIncludePad = countIncludePad
        func outSize(_ n: Int, _ k: Int, _ s: Int, _ p: Int) -> Int {
            let span = n + 2 * p - k
            var o = (ceilMode ? (span + s - 1) / s : span / s) + 1
            // PyTorch: the last window must start inside the input or left padding.
            if ceilMode && (o - 1) * s >= n + p { o -= 1 }
            return o
        }
        outHeight = outSize(height, kernelHeight, strideHeight, padTop)
        outWidth = outSize(width, kernelWidth, strideWidth, padLeft)
    }
}

/// Scalars of one Adam / AdamW step (`torch.optim.Adam`, `torch.optim.AdamW`).
public struct AdamParameters: Sendable, Equatable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// L2 penalty added to the gradient (Adam) or decoupled decay of the weights (AdamW).
    public var weightDecay: Float
    public var decoupledWeightDecay: Bool
    /// The step number, from 1.
    public var step: Int

    public init(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float = 0,
                decoupledWeightDecay: Bool = false, step: Int) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        self.step = step
    }
}

/// Geometry of multi-head scaled dot-product attention over projected queries, keys and values
/// (see ``Tensor/attention(query:key:value:heads:scale:keep:)``).
///
/// Batch item `b` and head `h` read query row `i` at `query + (b · queryLength + i) · queryRowStride
/// + h · keyDimensions` (`keyDimensions` floats), key and value rows likewise with their own row
/// strides, so the three may be column blocks of one packed `[batch, seq, q | k | v]` projection.
/// The output is `[batch, queryLength, heads · valueDimensions]`, contiguous, and the weights
/// `[batch, heads, queryLength, keyLength]`.
public struct AttentionParameters: Sendable, Equatable {
    public var batch: Int
    public var heads: Int
    public var queryLength: Int
    public var keyLength: Int
    public var keyDimensions: Int
    public var valueDimensions: Int
    /// Elements between consecutive query positions (`heads · keyDimensions` when unpacked).
    public var queryRowStride: Int
    /// Elements between consecutive key positions.
    public var keyRowStride: Int
    /// Elements between consecutive value positions.
    public var valueRowStride: Int
    /// Multiplies the scores `q · kᵀ` before the softmax.
    public var scale: Float
    /// Strides of the keep mask over `[batch, heads, queryLength, keyLength]` (0 along broadcast
    /// axes); nil when there is no mask.
    public var maskStrides: [Int]?

    public init(batch: Int, heads: Int, queryLength: Int, keyLength: Int, keyDimensions: Int, valueDimensions: Int,
                queryRowStride: Int, keyRowStride: Int, valueRowStride: Int, scale: Float, maskStrides: [Int]? = nil) {
        self.batch = batch
        self.heads = heads
        self.queryLength = queryLength
        self.keyLength = keyLength
        self.keyDimensions = keyDimensions
        self.valueDimensions = valueDimensions
        self.queryRowStride = queryRowStride
        self.keyRowStride = keyRowStride
        self.valueRowStride = valueRowStride
        self.scale = scale
        self.maskStrides = maskStrides
    }

    /// (batch, head) pairs: the independent attention problems.
    public var items: Int { batch * heads }
    /// Elements between consecutive output positions: `heads · valueDimensions`.
    public var outputRowStride: Int { heads * valueDimensions }
    /// Offset of item `item`'s first query row.
    func queryOffset(_ item: Int) -> Int { item / heads * queryLength * queryRowStride + item % heads * keyDimensions }
    /// Offset of item `item`'s first key row.
    func keyOffset(_ item: Int) -> Int { item / heads * keyLength * keyRowStride + item % heads * keyDimensions }
    /// Offset of item `item`'s first value row.
    func valueOffset(_ item: Int) -> Int { item / heads * keyLength * valueRowStride + item % heads * valueDimensions }
    /// Offset of item `item`'s first output row.
    func outputOffset(_ item: Int) -> Int { item / heads * queryLength * outputRowStride + item % heads * valueDimensions }
    /// Offset of the keep mask's entry for item `item`, query row `row` (key 0); nil without a mask.
    func maskOffset(_ item: Int, row: Int) -> Int? {
        maskStrides.map { item / heads * $0[0] + item % heads * $0[1] + row * $0[2] }
    }
}
