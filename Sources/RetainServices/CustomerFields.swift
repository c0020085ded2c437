import Foundation
import RetainCore

/// The customer fields a client may set, for create (POST) and update (PATCH). A field left out is unchanged; a
/// field sent as `null` is cleared.
public struct CustomerFields: Codable, Sendable, Equatable {
    public var externalID: String?
    public var cardNumber: String?
    public var email: String?
    public var phone: String?
    public var firstName: String?
    public var lastName: String?
    public var birthday: String?
    public var timeZone: String?
    public var language: String?
    public var tags: [String]?
    public var attributes: [String: JSONValue]?
    public var contacts: [ContactPoint]?
    /// Keys sent explicitly as `null`.
    public var cleared: Set<String> = []

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case externalID = "external_id"
        case cardNumber = "card_number"
        case email, phone
        case firstName = "first_name"
        case lastName = "last_name"
        case birthday
        case timeZone = "time_zone"
        case language, tags, attributes, contacts
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        for key in CodingKeys.allCases where container.contains(key) {
            if try container.decodeNil(forKey: key) { cleared.insert(key.rawValue) }
        }
        externalID = try container.decodeIfPresent(String.self, forKey: .externalID)
        cardNumber = try container.decodeIfPresent(String.self, forKey: .cardNumber)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        phone = try container.decodeIfPresent(String.self, forKey: .phone)
        firstName = try container.decodeIfPresent(String.self, forKey: .firstName)
        lastName = try container.decodeIfPresent(String.self, forKey: .lastName)
        birthday = try container.decodeIfPresent(String.self, forKey: .birthday)
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone)
        language = try container.decodeIfPresent(String.self, forKey: .language)
        tags = try container.decodeIfPresent([String].self, forKey: .tags)
        attributes = try container.decodeIfPresent([String: JSONValue].self, forKey: .attributes)
        contacts = try container.decodeIfPresent([ContactPoint].self, forKey: .contacts)
    }

    /// Applies the fields to `customer`, normalising contacts, and reports every invalid field.
    public func apply(to customer: inout Customer) throws {
        var validator = Validator()
        func text(_ value: String?, _ key: CodingKeys, max: Int) -> String?? {
            if cleared.contains(key.rawValue) { return .some(nil) }
            guard let value else { return nil }
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            validator.check(!trimmed.isEmpty && trimmed.count <= max, key.rawValue, "must be 1–\(max) characters")
            return .some(trimmed)
        }
        if let value = text(externalID, .externalID, max: 128) { customer.externalID = value }
        if let value = text(cardNumber, .cardNumber, max: 64) { customer.cardNumber = value }
        if let value = text(firstName, .firstName, max: 100) { customer.firstName = value }
        if let value = text(lastName, .lastName, max: 100) { customer.lastName = value }
        if let value = text(email, .email, max: 254) {
            let normalized = value.flatMap(ContactNormalization.email)
            if let normalized {
                validator.check(ContactNormalization.isPlausibleEmail(normalized), "email", "is not an e-mail address")
            }
            customer.email = normalized
        }
        if let value = text(phone, .phone, max: 32) {
            let normalized = value.flatMap(ContactNormalization.phone)
            validator.check(
                value == nil || normalized.map(ContactNormalization.isPlausiblePhone) == true, "phone",
                "needs 6–16 digits, optionally after a +")
            customer.phone = normalized
        }
        if let value = text(birthday, .birthday, max: 10) {
            if let value {
                let valid =
                    CivilDate(iso: value) != nil
                    || (value.hasPrefix("--") && CivilDate(iso: "2000" + value.dropFirst(1)) != nil)
                validator.check(valid, "birthday", "use YYYY-MM-DD, or --MM-DD when the year is unknown")
            }
            customer.birthday = value
        }
        if let value = text(timeZone, .timeZone, max: 64) {
            if let value {
                validator.check(
                    TimeZone(identifier: value) != nil, "time_zone",
                    "\(value) is not an IANA time zone (e.g. Europe/Kyiv)")
            }
            customer.timeZone = value
        }
        if let value = text(language, .language, max: 35) {
            if let value {
                let primary = value.split(separator: "-").first.map(String.init) ?? ""
                validator.check(
                    (2...3).contains(primary.count) && primary.allSatisfy(\.isLetter), "language",
                    "use a BCP 47 tag such as uk, pl or nb-NO")
            }
            customer.language = value
        }
        if cleared.contains("tags") { customer.tags = [] }
        if let tags {
            validator.check(tags.count <= 50, "tags", "at most 50 tags")
            for (index, tag) in tags.enumerated() {
                validator.check((1...64).contains(tag.count), "tags[\(index)]", "must be 1–64 characters")
            }
            customer.tags = Array(NSOrderedSet(array: tags).compactMap { $0 as? String })
        }
        if cleared.contains("attributes") { customer.attributes = [:] }
        if let attributes {
            validator.check(attributes.count <= 100, "attributes", "at most 100 attributes")
            for key in attributes.keys {
                validator.check((1...64).contains(key.count), "attributes.\(key)", "names must be 1–64 characters")
            }
            for (key, value) in attributes {
                if value == .null { customer.attributes[key] = nil } else { customer.attributes[key] = value }
            }
        }
        if cleared.contains("contacts") { customer.contacts = [] }
        if let contacts {
            validator.check(contacts.count <= 20, "contacts", "at most 20 contact points")
            for (index, contact) in contacts.enumerated() {
                let address = contact.address.trimmingCharacters(in: .whitespacesAndNewlines)
                validator.check(
                    (1...254).contains(address.count), "contacts[\(index)].address", "must be 1–254 characters")
            }
            customer.contacts = contacts
        }
        try validator.throwIfInvalid()
    }
}
