/**
 * Set by the Entra-shaped endpoints on the request they forward to oidc-provider: which issuer
 * form the access token names. Anyone may send it to /oidc/token too; that only picks another
 * name of the same issuer, signed with the same keys and trusted alike.
 */
export const TOKEN_FORM_HEADER = 'x-opencentral-token-form'
