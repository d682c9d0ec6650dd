// Page tests run in jsdom; nothing global to prepare yet.
export {};
