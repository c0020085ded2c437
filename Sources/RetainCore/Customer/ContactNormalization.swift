import Foundation

/// Canonical forms for the contact values orders are matched on, so `Ann@Shop.com ` and `ann@shop.com` are one
/// customer and `+48 600-100-200` equals `+48600100200`.
public enum ContactNormalization {
    public static func email(_ raw: String) -> String? {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !value.isEmpty else { return nil }
        return value
    }

    public static func isPlausibleEmail(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !value.contains(" ")
            && value.count <= 254
    }

    /// Keeps digits and one leading `+`; punctuation and spaces people type are dropped.
    public static func phone(_ raw: String) -> String? {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        var out = trimmed.hasPrefix("+") ? "+" : ""
        for character in trimmed where character.isASCII && character.isNumber { out.append(character) }
        return out.filter(\.isNumber).isEmpty ? nil : out
    }

    public static func isPlausiblePhone(_ value: String) -> Bool {
        (6...16).contains(value.filter(\.isNumber).count)
    }

    /// Identifiers (external id, card number) are kept as given but trimmed; empty means absent.
    public static func identifier(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let value = hasNothingToTrim(raw) ? raw : raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// Whether `raw` starts and ends with a visible ASCII character, so trimming white space would not change it:
    /// the usual value, for which Foundation's trimming was about 5% of the samples while an order file's rows
    /// were grouped.
    static func hasNothingToTrim(_ raw: String) -> Bool {
        guard let first = raw.utf8.first, let last = raw.utf8.last else { return false }
        return (0x21...0x7E).contains(first) && (0x21...0x7E).contains(last)
    }
}

/// The ways an incoming order or event can name its customer, in the order they are tried: Retain's own id, then
/// the shop's external id, the loyalty card number, the e-mail address and last the phone number. The first
/// identifier that is given and known decides; later ones are not consulted.
public struct CustomerReference: Codable, Sendable, Equatable, Hashable {
    public var customerID: String?
    public var externalID: String?
    public var cardNumber: String?
    public var email: String?
    public var phone: String?

    public init(
        customerID: String? = nil, externalID: String? = nil, cardNumber: String? = nil, email: String? = nil,
        phone: String? = nil
    ) {
        self.customerID = ContactNormalization.identifier(customerID)
        self.externalID = ContactNormalization.identifier(externalID)
        self.cardNumber = ContactNormalization.identifier(cardNumber)
        self.email = email.flatMap(ContactNormalization.email)
        self.phone = phone.flatMap(ContactNormalization.phone)
    }

    enum CodingKeys: String, CodingKey {
        case customerID = "customer_id"
        case externalID = "external_id"
        case cardNumber = "card_number"
        case email, phone
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            customerID: try container.decodeIfPresent(String.self, forKey: .customerID),
            externalID: try container.decodeIfPresent(String.self, forKey: .externalID),
            cardNumber: try container.decodeIfPresent(String.self, forKey: .cardNumber),
            email: try container.decodeIfPresent(String.self, forKey: .email),
            phone: try container.decodeIfPresent(String.self, forKey: .phone))
    }

    public var isEmpty: Bool {
        customerID == nil && externalID == nil && cardNumber == nil && email == nil && phone == nil
    }

    /// The lookups to try, in matching priority.
    public var lookups: [CustomerLookup] {
        var result: [CustomerLookup] = []
        if let customerID { result.append(.id(customerID)) }
        if let externalID { result.append(.externalID(externalID)) }
        if let cardNumber { result.append(.cardNumber(cardNumber)) }
        if let email { result.append(.email(email)) }
        if let phone { result.append(.phone(phone)) }
        return result
    }
}

/// One customer lookup by one identifier.
public enum CustomerLookup: Sendable, Hashable {
    case id(String)
    case externalID(String)
    case cardNumber(String)
    case email(String)
    case phone(String)
}
