/**
 * The group UI, loaded after sign-in (never on the register screen): a group's conversation, its members
 * panel and the "New group" dialog. The group list in the sidebar and the journal stay in the first bundle.
 */
import './groups.css';

export { GroupConversation, type GroupConversationProps } from './GroupConversation.js';
export { GroupPanel, type GroupPanelProps } from './GroupPanel.js';
export { NewGroupDialog, type NewGroupDialogProps } from './NewGroupDialog.js';
