/// A Sobol low-discrepancy sequence in [0, 1)^d, optionally scrambled as SciPy's
/// `qmc.Sobol(d, scramble=True)` is: a random lower-triangular binary matrix applied to each
/// dimension's direction numbers (linear matrix scrambling) and a random digital shift.
///
/// Its first 2ᵏ points put exactly one point in each interval [i/2ᵏ, (i+1)/2ᵏ) of every
/// dimension, and scrambling keeps that; a random draw of 2,048 points leaves about a third of
/// such intervals empty. Up to ``maximumDimensions`` dimensions (the table of
/// ``SobolDirectionNumbers``); 30 bits per coordinate, so the sequence repeats after 2³⁰ points.
public struct SobolSequence: Sendable {
    /// Bits per coordinate (SciPy's default).
    public static let bits = 30
    /// The most dimensions the direction-number table covers.
    public static var maximumDimensions: Int { SobolDirectionNumbers.table.count }

    public let dimensions: Int
    /// Per dimension, its `bits` direction numbers (bit `bits − 1` is the coordinate's ½).
    private var directions: [[UInt32]]
    private var shift: [UInt32]
    private var current: [UInt32]
    private var index: UInt32 = 0

    /// The plain (unscrambled) sequence; its first point is the origin.
    /// - Parameter dimensions: 1…``maximumDimensions`` (clamped to that range).
    public init(dimensions: Int) {
        self.dimensions = min(max(dimensions, 1), Self.maximumDimensions)
        directions = (0..<self.dimensions).map(Self.directionNumbers)
        shift = [UInt32](repeating: 0, count: self.dimensions)
        current = shift
    }

    /// The sequence scrambled with random numbers from `rng`.
    public init(dimensions: Int, scramblingWith rng: inout some RandomNumberGenerator) {
        self.init(dimensions: dimensions)
        let mask = UInt32((1 << Self.bits) - 1)
        for d in 0..<self.dimensions {
            // Row i writes the coordinate's bit of weight 2^-(i+1), `own`: the parity of that bit
            // of the input and a random choice of the bits above it.
            let rows = (0..<Self.bits).map { i -> (own: UInt32, reads: UInt32) in
                let own = UInt32(1) << UInt32(Self.bits - 1 - i)
                let above = UInt32.random(in: 0...UInt32.max, using: &rng) & mask & ~(own | (own &- 1))
                return (own, own | above)
            }
            directions[d] = directions[d].map { v in
                rows.reduce(UInt32(0)) { scrambled, row in
                    (v & row.reads).nonzeroBitCount % 2 == 1 ? scrambled | row.own : scrambled
                }
            }
            shift[d] = UInt32.random(in: 0...UInt32.max, using: &rng) & mask
        }
        current = shift
    }

    /// The next point.
    public mutating func next() -> [Double] {
        let scale = 1 / Double(1 << Self.bits)
        let point = current.map { Double($0) * scale }
        // Gray-code order: the next point differs by the direction number of the lowest zero bit of the index.
        let bit = (~index).trailingZeroBitCount
        if bit >= Self.bits {
            index = 0
            current = shift
        } else {
            index += 1
            for d in 0..<dimensions { current[d] ^= directions[d][bit] }
        }
        return point
    }

    /// Dimension `d`'s direction numbers, from its polynomial and initial integers by the
    /// recurrence mⱼ = mⱼ₋ₛ ⊕ 2ˢmⱼ₋ₛ ⊕ (⊕ₖ 2ᵏ aₖ mⱼ₋ₖ, k = 1…s−1), aligned to `bits` bits.
    private static func directionNumbers(_ d: Int) -> [UInt32] {
        let (polynomial, initial) = SobolDirectionNumbers.table[d]
        let degree = initial.count
        var m = [UInt32](repeating: 1, count: bits)
        if degree > 0 {
            for j in 0..<bits {
                if j < degree { m[j] = UInt32(initial[j]); continue }
                var next = m[j - degree] ^ (m[j - degree] << UInt32(degree))
                for k in 1..<degree where (polynomial >> (degree - k)) & 1 == 1 { next ^= m[j - k] << UInt32(k) }
                m[j] = next
            }
        }
        return m.enumerated().map { j, value in value << UInt32(bits - 1 - j) }
    }
}
