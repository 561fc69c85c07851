/// An 8-bit sRGB colour.
public struct RGB: Equatable, Hashable, Sendable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        (self.r, self.g, self.b) = (r, g, b)
    }

    /// A colour from `0xRRGGBB`.
    public init(hex: UInt32) {
        self.init(UInt8((hex >> 16) & 0xFF), UInt8((hex >> 8) & 0xFF), UInt8(hex & 0xFF))
    }

    /// `self` mixed with `other`: `alpha` 0 gives `self`, 1 gives `other` (clamped to 0…1).
    public func mixed(with other: RGB, alpha: Double) -> RGB {
        let a = alpha.isFinite ? min(max(alpha, 0), 1) : 0
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Double(x) * (1 - a) + Double(y) * a).rounded()) }
        return RGB(mix(r, other.r), mix(g, other.g), mix(b, other.b))
    }

    public static let white = RGB(255, 255, 255)
    public static let black = RGB(0, 0, 0)
    public static let grey = RGB(128, 128, 128)
    public static let lightGrey = RGB(220, 220, 220)
    public static let red = RGB(214, 39, 40)
    public static let green = RGB(44, 160, 44)

    /// Matplotlib's "tab10" cycle, for one colour per series.
    public static let series: [RGB] = [0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD,
                                       0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF].map { RGB(hex: $0) }
}
